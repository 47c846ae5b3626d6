"""One Powertools `Router` per resource of the API; `handlers/api.py` includes them."""
