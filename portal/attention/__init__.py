"""What Gelato tells the team about its orders unasked, and what the team makes of it.

``events`` receives Gelato's webhook events: each stored once, each order's status and delivery
estimate kept as the newest event says. ``timeline`` puts an order's events and the team's own
actions on it into one story. ``queue`` lists the orders that need someone before the customer
asks. Plain functions on the store, below the web layer, so that the order pages, the portal home
and the JSON API share them.
"""
