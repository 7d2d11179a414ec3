"""`waybill serve`: the packing desk page, the supervisor page and the HTTP API, over the facade (capture.api).

A thin adapter like capture.cli: requests in, facade calls, JSON or pages
out.  No decision rule lives here; what the page shows (colour, tone, words)
is picked from the facade's outcome in capture.web.words.
"""
