"""Support requests: what Gelato needs in each situation, and the forms that prepare them."""
