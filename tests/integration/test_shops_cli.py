"""Several shops at one desk, through the real `waybill` command: imports, pulls, one worker for all.

Real files, real processes, loopback fakes of both platforms.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from capture import api
from capture.api.orders import find_order, search_orders
from capture.shops import ShopConfig
from tests.fakes.pdd_server import INCREMENT, INFO, LIST, FakePdd
from tests.fakes.taobao_server import FakeTaobao
from tests.integration.shop_helpers import (
    PDD_SHOP,
    fake_pdd,
    pdd_secrets,
    pdd_sn,
    shop_worker_env,
    store_orders,
    write_config,
)
from tests.integration.upload_helpers import credentials_env, queue_jobs, sf, tid, upload_settings, waybill

__all__ = ["fake_pdd"]  # a fixture, used by name

PDD_EXPORT_HEADER = "订单号,订单状态,商品,收货人,手机,详细地址,快递单号,快递公司\n"


def run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    process = waybill(args, env)
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def cli_env(tmp_path: Path, fake: FakePdd, db: str) -> dict[str, str]:
    config = write_config(tmp_path / "waybill.toml", {PDD_SHOP: {"marketplace": "pdd", "endpoint": fake.url}})
    return shop_worker_env(db, tmp_path, config, pdd_secrets(fake))


def test_a_pinduoduo_export_is_imported_into_its_shop_and_a_refused_row_fails_the_exit_status(
    tmp_path: Path, upload_home: Path, fake_pdd: FakePdd
) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    env = cli_env(tmp_path, fake_pdd, db)
    export = tmp_path / "pdd.csv"
    export.write_text(
        PDD_EXPORT_HEADER
        + f"{pdd_sn(1)},待发货,杯子,李四,13912345678,深圳市南山区科技园1号,,\n"
        + f"{pdd_sn(2)},已发货，待签收,杯子,王五,13800001111,深圳市福田区1号,SF1234567890123,顺丰快递\n",
        encoding="utf-8",
    )

    code, out, err = run(["orders", "import", str(export), "--shop", PDD_SHOP], env)
    assert code == 0, out + err
    assert f"into shop {PDD_SHOP}: 2 added" in out

    # The same file into the Taobao shop: Taobao order numbers are digits, so every row is refused.
    code, out, err = run(["orders", "import", str(export)], env)
    assert code == 4, out + err
    assert f"order number '{pdd_sn(1)}' is not all digits" in out

    listed = search_orders(pdd_sn(1), upload_settings(db, tmp_path / "cache"))
    assert [(o.tid, o.shop, o.status) for o in listed] == [(pdd_sn(1), PDD_SHOP, "awaiting_shipment")]


def test_an_unknown_shop_is_refused_with_the_known_ones(tmp_path: Path, upload_home: Path, fake_pdd: FakePdd) -> None:
    env = cli_env(tmp_path, fake_pdd, f"sqlite:///{tmp_path / 'w.db'}")
    export = tmp_path / "pdd.csv"
    export.write_text(PDD_EXPORT_HEADER, encoding="utf-8")

    code, _out, err = run(["orders", "import", str(export), "--shop", "pdd_mian"], env)

    assert code == 3
    assert "no shop named 'pdd_mian'" in err and "default, pdd_main" in err
    assert "Traceback" not in err


def test_orders_pull_for_a_pinduoduo_shop_is_full_first_then_by_update_time(
    tmp_path: Path, upload_home: Path, fake_pdd: FakePdd
) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    env = cli_env(tmp_path, fake_pdd, db)
    fake_pdd.add_orders(*(pdd_sn(n) for n in range(150)))

    code, out, err = run(["orders", "pull", "--shop", PDD_SHOP], env)
    assert code == 0, err
    assert "pulled 2 page(s) from Pinduoduo for shop pdd_main: 150 added" in out
    assert fake_pdd.stats.calls[LIST] == 2 and fake_pdd.stats.calls[INFO] == 150

    fake_pdd.refund(pdd_sn(7))  # changed since: the next pull asks only for what changed
    code, out, err = run(["orders", "pull", "--shop", PDD_SHOP], env)
    assert code == 0, err
    assert fake_pdd.stats.calls[INCREMENT] >= 1 and fake_pdd.stats.calls[LIST] == 2
    assert "0 added" in out
    order = find_order(pdd_sn(7), upload_settings(db, tmp_path / "cache"))
    assert order is not None and order.status == "closed"
    for secret in (fake_pdd.client_secret, fake_pdd.access_token, fake_pdd.client_id):
        assert secret not in out + err


def test_one_worker_sends_each_shops_jobs_to_its_own_marketplace(
    tmp_path: Path, upload_home: Path, fake_pdd: FakePdd, fake_taobao: FakeTaobao
) -> None:
    shop = ShopConfig(name=PDD_SHOP, marketplace="pdd", endpoint=fake_pdd.url)
    settings = upload_settings(f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "cache", shops=(shop,))
    engine = api.database(settings)
    taobao_orders, pdd_orders = [tid(n) for n in range(3)], [pdd_sn(n) for n in range(3)]
    fake_taobao.add_orders(*taobao_orders)
    fake_pdd.add_orders(*pdd_orders)
    store_orders(engine, "default", taobao_orders)
    store_orders(engine, PDD_SHOP, pdd_orders)
    queue_jobs(engine, [(o, sf(n), "SF") for n, o in enumerate(taobao_orders + pdd_orders)])

    report = api.run_upload(
        settings, until_empty=True, env={**credentials_env(fake_taobao), **pdd_secrets(fake_pdd)}, handle_signals=False
    )

    assert report.count("sent") == 6
    assert fake_taobao.stats.ships == {o: 1 for o in taobao_orders}
    assert fake_pdd.stats.ships == {o: 1 for o in pdd_orders}
    listed = {j.order_tid: (j.shop, j.connector) for j in api.list_jobs(settings)}
    assert {listed[o] for o in taobao_orders} == {("default", "taobao")}
    assert {listed[o] for o in pdd_orders} == {(PDD_SHOP, "pdd")}

    code, out, _err = run(["queue", "list", "--json"], {**cli_env(tmp_path, fake_pdd, settings.db_url)})
    assert {json.loads(line)["shop"] for line in out.splitlines()} == {"default", PDD_SHOP}
    code, out, _err = run(["history", pdd_orders[0]], {**cli_env(tmp_path, fake_pdd, settings.db_url)})
    assert code == 0 and PDD_SHOP in out


def test_a_banned_shop_waits_while_the_other_shop_goes_on(
    tmp_path: Path, upload_home: Path, fake_pdd: FakePdd, fake_taobao: FakeTaobao
) -> None:
    from tests.fakes.pdd_server import Fault

    shop = ShopConfig(name=PDD_SHOP, marketplace="pdd", endpoint=fake_pdd.url)
    settings = upload_settings(f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "cache", shops=(shop,))
    engine = api.database(settings)
    taobao_orders, pdd_orders = [tid(n) for n in range(5)], [pdd_sn(n) for n in range(5)]
    fake_taobao.add_orders(*taobao_orders)
    fake_pdd.add_orders(*pdd_orders)
    store_orders(engine, "default", taobao_orders)
    store_orders(engine, PDD_SHOP, pdd_orders)
    queue_jobs(engine, [(o, sf(n), "SF") for n, o in enumerate(pdd_orders + taobao_orders)])
    fake_pdd.fail(Fault.RATE_LIMIT, ban_s=3)
    started = time.monotonic()

    api.run_upload(
        settings, until_empty=True, env={**credentials_env(fake_taobao), **pdd_secrets(fake_pdd)}, handle_signals=False
    )

    assert max(fake_taobao.stats.ship_times) - started < 3.0  # Taobao's jobs did not wait for Pinduoduo's ban
    assert min(fake_pdd.stats.ship_times) - started >= 3.0
    assert fake_pdd.stats.ships == {o: 1 for o in pdd_orders}


def test_three_shops_on_two_marketplaces_each_parcel_goes_to_its_own_shop(
    tmp_path: Path, upload_home: Path, fake_pdd: FakePdd, fake_taobao: FakeTaobao
) -> None:
    with FakeTaobao(app_key="TMALLKEY-1234", app_secret="TMALLSECRET-5678", session="TMALLSESSION-9012") as tmall:
        shops = (
            ShopConfig(name="tmall_main", marketplace="taobao", endpoint=tmall.url),
            ShopConfig(name=PDD_SHOP, marketplace="pdd", endpoint=fake_pdd.url),
        )
        settings = upload_settings(f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "cache", shops=shops)
        engine = api.database(settings)
        by_shop: dict[str, tuple[list[str], FakeTaobao | FakePdd]] = {
            "default": ([tid(n) for n in range(3)], fake_taobao),
            "tmall_main": ([tid(100 + n) for n in range(3)], tmall),
            PDD_SHOP: ([pdd_sn(n) for n in range(3)], fake_pdd),
        }
        for shop, (orders, fake) in by_shop.items():
            fake.add_orders(*orders)
            store_orders(engine, shop, orders)
        pile = [o for orders, _fake in by_shop.values() for o in orders]
        queue_jobs(engine, [(o, sf(n), "SF") for n, o in enumerate(pile[::-1])])  # one mixed pile
        secrets = {
            **credentials_env(fake_taobao),
            **pdd_secrets(fake_pdd),
            "WAYBILL_SHOP_TMALL_MAIN_APP_KEY": tmall.app_key,
            "WAYBILL_SHOP_TMALL_MAIN_APP_SECRET": tmall.app_secret,
            "WAYBILL_SHOP_TMALL_MAIN_SESSION": tmall.session,
        }

        report = api.run_upload(settings, until_empty=True, env=secrets, handle_signals=False)

        assert report.count("sent") == 9
        for shop, (orders, fake) in by_shop.items():
            assert fake.stats.ships == {o: 1 for o in orders}, shop  # each platform saw its own shop's orders only
        assert {j.shop for j in api.list_jobs(settings) if j.order_tid in by_shop["tmall_main"][0]} == {"tmall_main"}


def test_a_second_taobao_shop_pulls_with_its_own_secrets(tmp_path: Path, upload_home: Path) -> None:
    with FakeTaobao(app_key="TMALLKEY-1234", app_secret="TMALLSECRET-5678", session="TMALLSESSION-9012") as tmall:
        tmall.add_orders(*(tid(n) for n in range(5)))
        shop = ShopConfig(name="tmall_main", marketplace="taobao", endpoint=tmall.url)
        settings = upload_settings(f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "cache", shops=(shop,))
        secrets = {
            "WAYBILL_SHOP_TMALL_MAIN_APP_KEY": tmall.app_key,
            "WAYBILL_SHOP_TMALL_MAIN_APP_SECRET": tmall.app_secret,
            "WAYBILL_SHOP_TMALL_MAIN_SESSION": tmall.session,
        }

        report = api.pull_orders(settings, env=secrets, shop="tmall_main")

        assert (report.added, report.marketplace) == (5, "Taobao")
        assert not tmall.stats.refused  # signed with this shop's secret, not the default shop's
        found = find_order(tid(3), settings)
        assert found is not None and found.shop == "tmall_main"


def test_queue_export_writes_one_shops_jobs_only(tmp_path: Path, upload_home: Path, fake_pdd: FakePdd) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    env = cli_env(tmp_path, fake_pdd, db)
    engine = api.database(upload_settings(db, tmp_path / "cache"))
    store_orders(engine, "default", [tid(1)])
    store_orders(engine, PDD_SHOP, [pdd_sn(1)])
    queue_jobs(engine, [(tid(1), sf(1), "SF"), (pdd_sn(1), sf(2), "SF")])

    code, out, err = run(["queue", "export", str(tmp_path / "pdd.csv"), "--shop", PDD_SHOP], env)

    assert code == 0 and "exported 1 job(s)" in out, err
    assert pdd_sn(1) in (tmp_path / "pdd.csv").read_text(encoding="utf-8-sig")
    assert tid(1) not in (tmp_path / "pdd.csv").read_text(encoding="utf-8-sig")
    listed = {j.order_tid: j.status for j in api.list_jobs(upload_settings(db, tmp_path / "cache"))}
    assert listed == {tid(1): "pending", pdd_sn(1): "exported"}  # the Taobao shop's job is still to be sent
