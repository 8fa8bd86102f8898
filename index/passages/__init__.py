"""Cutting articles into passages: sentence spans (`sentences`), the pure cut into passages that
fit the model's window (`cutting`), and the same over many articles on every core (`parallel`)."""
