"""The filled example shipped in docs/examples/ (problem-list.xlsx and problem-photos.zip), written
by `chuangcheng problems example -o DIR`. Its rows name what the demo subdistrict has (光明路街道:
its grids by code, two of its street-level units), so it imports into the demo as it stands."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw

from chuangcheng.org.models import Region
from chuangcheng.problems.sheet import build_template

STREET = "150103001"
CITY_SQUAD = "回民区城市管理综合执法局光明路中队"
SANITATION = "回民区环境卫生服务中心光明路环卫所"
WORKBOOK = "problem-list.xlsx"
PHOTOS = "problem-photos.zip"

# 序号, 问题地点, 点位编码, 点位类型, 经度, 纬度, 所在网格, 问题描述, 问题类别, 责任单位, 照片
ROWS: list[list[object]] = [
    [1, "第一社区菜市场北门", "", "", "", "", "150103001001-01", "门口两侧占道经营，摊位摆放至人行道",
     "街面秩序/店外经营", CITY_SQUAD, "01-market.jpg"],
    [2, "第一社区东侧背街小巷", "", "", "", "", "150103001001-02", "垃圾桶满溢，周边散落生活垃圾",
     "市容环境/暴露垃圾", SANITATION, "02-bins.jpg"],
    [3, "第二社区健身广场西侧", "", "", "", "", "150103001002-01", "电线杆、墙面张贴小广告多处",
     "宣传广告/非法小广告", "", "03-ads.jpg;03-ads-2.jpg"],
    [4, "第二社区公交站台", "", "", "", "", "150103001002-02", "站台周边非机动车乱停乱放",
     "街面秩序/非机动车乱停放（含共享单车）", "", ""],
]


def photo(text: str, color: str) -> bytes:
    """A small labelled picture standing in for a photo taken on site."""
    image = Image.new("RGB", (480, 360), color)
    ImageDraw.Draw(image).text((20, 20), text, fill="white")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def photos_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, color in (("01-market.jpg", "#8a6d3b"), ("02-bins.jpg", "#556b2f"), ("03-ads.jpg", "#4a4a8a"),
                            ("03-ads-2.jpg", "#6a4a6a")):
            info = zipfile.ZipInfo(f"photos/{name}", date_time=(2026, 11, 20, 9, 0, 0))
            archive.writestr(info, photo(name, color))
    return out.getvalue()


def write_example(folder: Path) -> list[Path]:
    """Write the example workbook (dropdowns from this database's street, if it has one) and its photos."""
    folder.mkdir(parents=True, exist_ok=True)
    street = Region.objects.filter(code=STREET, level=Region.Level.STREET).first()
    written = [folder / WORKBOOK, folder / PHOTOS]
    written[0].write_bytes(build_template(street, rows=ROWS))
    written[1].write_bytes(photos_zip())
    return written
