"""Self-service actions on Gelato orders: what each status allows, and the forms that act."""
