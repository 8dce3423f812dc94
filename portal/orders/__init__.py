"""Self-service actions on Gelato orders, as plain Python: what each status allows (rules), where
an order is (delivery), address checks, the steps of the place-order forms (wizard) and placing an
order exactly once (placing). The pages that use them are ``portal.web.orders``."""
