"""Reading the people off a label: phones as labels print them, whose block it is, split rows."""

import pytest

from capture.pipeline.extract import extract
from capture.types import BarcodeRead, Decoded, Quad, TextLine


def line(text: str, y: float, x: float = 0.0, width: float = 100.0) -> TextLine:
    return TextLine(text=text, score=0.99, box=((x, y), (x + width, y), (x + width, y + 10), (x, y + 10)))


def people(*lines: TextLine):
    return extract(Decoded((), tuple(lines)), 0.8).people


@pytest.mark.parametrize(
    "phone",
    [
        "138****5678",
        "13812345678",
        "138xxxx5678",
        "138••••5678",
        "****5678",
        "*******5678",
        "尾号5678",
        "１３８＊＊＊＊５６７８",
    ],
)
def test_every_way_a_label_prints_the_phone_gives_its_tail(phone):
    (person,) = people(line(f"收件人: 张三 {phone}", 0), line("浙江省杭州市西湖区文三路123号", 20))
    assert (person.name, person.phone_tail, person.role) == ("张三", "5678", "recipient")
    assert person.address == "浙江省杭州市西湖区文三路123号"


def test_the_sender_block_says_so():
    recipient, sender = people(
        line("收件人: 张三 138****5678", 0),
        line("浙江省杭州市西湖区文三路123号", 20),
        line("寄件人: 某某旗舰店 0571-88886666", 40),
        line("浙江省杭州市余杭区文一西路1818号", 60),
    )
    assert recipient.role == "recipient" and sender.role == "sender"


def test_a_name_on_the_row_above_its_phone_is_read():
    (person,) = people(line("收件人: 蒋志勇", 0), line("166****7084", 20), line("广东省深圳市南山区文三路853号", 40))
    assert (person.name, person.phone_tail, person.role) == ("蒋志勇", "7084", "recipient")
    assert person.address.startswith("广东省深圳市")


def test_a_name_and_phone_split_by_a_wide_gap_are_one_row():
    (person,) = people(
        line("收件人: 蒋志勇", 0, 0, 80), line("166****7084", 0, 200, 80), line("广东省深圳市南山区文三路853号", 20)
    )
    assert (person.name, person.phone_tail) == ("蒋志勇", "7084")


def test_tail_only_forms_do_not_fire_on_other_numbers():
    assert (
        people(line("重量: 1.25kg 件数: 1/1", 0), line("订单号: 2751925651837878487", 20), line("2026-11-20 14:32", 40))
        == ()
    )


def test_a_long_address_row_rising_under_a_tilted_camera_still_follows_its_name_row():
    """Boxes as read off a photo taken at a 39-degree tilt: the long address row below the
    name row rises to the right, so its centre lies above the name row's centre."""

    def tilted(text: str, left: tuple[float, float], right: tuple[float, float]) -> TextLine:
        (x0, y0), (x1, y1) = left, right
        return TextLine(text=text, score=0.99, box=((x0, y0), (x1, y1), (x1 + 28, y1 + 95), (x0 + 22, y0 + 95)))

    # The barcode above them sets the label's direction: nearly level, less tilted than the rows.
    barcode = BarcodeRead("DPK430614110353", "Code128", "zxing", ((1442, 663), (2630, 603), (2647, 935), (1459, 995)))
    rows = (
        tilted("收件人：秦龙 135****6146", (1346, 1132), (2048, 972)),
        tilted("黑龙江省哈尔滨市南岗区北京路311号华润橡树湾15号楼4单元", (1529, 1157), (2735, 869)),
        tilted("102室", (1560, 1260), (1712, 1228)),
    )
    (person,) = extract(Decoded((barcode,), rows), 0.8).people
    assert (person.name, person.phone_tail) == ("秦龙", "6146")
    assert person.address == "黑龙江省哈尔滨市南岗区北京路311号华润橡树湾15号楼4单元102室"


def test_a_label_turned_a_few_degrees_is_read_along_its_print_not_the_barcode_engines_level_box():
    """Boxes as read off a photo of a label turned 12 degrees: the engine's box for its barcode
    is the level span its scan lines crossed, the text boxes follow the print."""

    def box(a: tuple[int, int], b: tuple[int, int], c: tuple[int, int], d: tuple[int, int]) -> Quad:
        return (
            (float(a[0]), float(a[1])),
            (float(b[0]), float(b[1])),
            (float(c[0]), float(c[1])),
            (float(d[0]), float(d[1])),
        )

    barcode = BarcodeRead(
        "3102356987363", "Code128", "zxing", box((1193, 1182), (2143, 1182), (2143, 1216), (1200, 1216))
    )
    rows = (
        TextLine("3102356987363", 0.99, box((1480, 1339), (1864, 1258), (1878, 1344), (1498, 1430))),
        TextLine("138****4127", 0.99, box((1439, 1430), (1846, 1344), (1864, 1448), (1462, 1529))),
        TextLine("收件人：程鹏", 0.99, box((1172, 1493), (1480, 1434), (1493, 1520), (1186, 1579))),
        TextLine(
            "昆明市五华区 北京路996号保利香槟国际2幢", 0.99, box((1344, 1534), (2262, 1339), (2280, 1430), (1362, 1620))
        ),
        TextLine("2单元2102室", 0.99, box((1358, 1588), (1661, 1529), (1674, 1615), (1371, 1679))),
    )
    (person,) = extract(Decoded((barcode,), rows), 0.8).people
    assert (person.name, person.phone_tail) == ("程鹏", "4127")
    assert person.address == "昆明市五华区北京路996号保利香槟国际2幢2单元2102室"
