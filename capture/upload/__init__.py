"""Upload: send what the outbox (upload_jobs) holds to the marketplace, once per order.

queue.py       the outbox as a worker uses it (claim, record) and the queue commands' rules
worker.py      claim -> check/send -> record or back off; stops on SIGTERM/SIGINT
connector.py   the interface every sender implements, and the outcomes of a send
taobao.py      Taobao offline.send, with top_client.py (signing, HTTP), taobao_errors.py
               (what an error means), taobao_carriers.py (company codes, number rules)
taobao_orders.py  the orders pull (trades.sold.get) into the orders table
webhook.py     a signed JSON POST to the shop's own system
csv_export.py  a CSV for bulk shipping in the seller back office
credentials.py secrets from the environment or an owner-only file; never shown
single_worker.py  one worker per SQLite database (an OS file lock)
Each marketplace is reached through capture/marketplaces/ (the registry; Taobao's
parts above are its taobao entry), and a worker sends each job through its own
shop's connector (capture/marketplaces/router.py).
The facade side (run_upload, the queue commands, the pull) is capture/api/uploading.py;
the commands are capture/cli/upload.py and capture/cli/orders.py.
"""
