"""Marketplaces as plugins: one subpackage per marketplace, one entry each in registry.py.

Each package gives a `Marketplace` (registry.py): its connector (send and
check), its orders pull, its carrier-code table, its order-number pattern
and status map (a store Dialect), the secrets a shop of it needs, and the
error values its client returns.  The upload worker, `orders pull` and
`orders import` reach a marketplace only through the registry.

    taobao/   Taobao/Tmall TOP (the modules in capture/upload/ taobao*.py, top_client.py)
    pdd/      Pinduoduo open platform (gw-api.pinduoduo.com/api/router)

Adding a marketplace: a package here with a MARKETPLACE value, its name in
registry.py and in capture.shops.MARKETPLACE_NAMES.

This __init__ imports nothing on purpose: capture.upload's modules import
shared pieces from here, and the registry imports them back.
"""
