"""Small made-up photos for the demo cases: a street, a wall or a courtyard drawn with Pillow,
messy before and tidy after, so a case page shows evidence without shipping real pictures.

Each picture is drawn from its own `random.Random(key)` and carries the key in its JPEG comment,
so every photo has distinct bytes (evidence dedupes by SHA-256) and one key always draws the same
picture. A picture takes about a millisecond."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 640, 480
HORIZON = 200

# What clutters the picture of a category (by code, then by group), and on which ground.
MESS_BY_CODE = {
    "SR02": "litter", "SR03": "rubble", "SR04": "litter", "SR06": "litter", "SR07": "cars", "SR08": "boxes",
    "SR09": "cracks", "SR10": "rubble", "SR11": "posters", "SR12": "smoke", "SR13": "smoke", "SR14": "litter",
    "XC02": "signs", "XC03": "signs", "XC04": "posters", "XC05": "signs",
    "SG01": "fence", "SG02": "smoke", "SG03": "rubble", "SG04": "fence", "SG05": "cracks",
    "JM01": "stalls", "JM02": "stalls", "JM03": "boxes", "JM04": "stalls", "JM05": "cars", "JM06": "bikes",
    "JM07": "boxes", "JM09": "cars", "JM10": "smoke", "JM11": "laundry", "JM13": "boxes", "JM14": "boxes",
    "JM15": "wires",
    "TF01": "cracks", "TF02": "water", "TF04": "water", "TF05": "smoke", "TF06": "water", "TF07": "snow",
    "TF08": "wires",
    "BJ01": "cracks", "BJ04": "litter",
    # What the checklist's own failures look like: a shed, a faded board, cars on the crossing.
    "SR01": "boxes", "SR15": "boxes", "XC01": "posters", "XC06": "signs", "TF03": "smoke",
    "BJ02": "signs", "BJ03": "signs", "BJ05": "signs", "BJ99": "cracks",
    "WM01": "litter", "WM02": "cars", "WM03": "signs", "WM04": "cars", "WM99": "signs",
}
MESS_BY_GROUP = {"SR": "litter", "XC": "posters", "SG": "fence", "JM": "stalls", "TF": "water", "BJ": "signs",
                 "WM": "litter"}
WALL_MESSES = {"posters", "signs", "wires", "laundry"}
YARD_CODES = {"SR06", "BJ04", "JM11", "JM14", "JM15", "SR15"}


def scene_jpeg(category_code: str, *, tidy: bool, key: str) -> bytes:
    """A 640×480 JPEG of the category's problem (tidy: after the rectification)."""
    rng = random.Random(key)
    mess = MESS_BY_CODE.get(category_code) or MESS_BY_GROUP.get(category_code[:2], "litter")
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    if mess in WALL_MESSES:
        _wall(draw, rng)
    elif category_code in YARD_CODES:
        _yard(draw, rng)
    else:
        _street(draw, rng)
    painter = MESS_PAINTERS[mess]
    painter(draw, rng, tidy)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80, comment=key.encode("utf-8"))
    return out.getvalue()


def _shade(rng: random.Random, base: tuple[int, int, int], spread: int = 18) -> tuple[int, int, int]:
    r, g, b = (max(0, min(255, c + rng.randint(-spread, spread))) for c in base)
    return r, g, b


def _sky(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, HORIZON), fill=_shade(rng, (176, 203, 230)))
    x = 0
    while x < WIDTH:
        width, height = rng.randint(70, 170), rng.randint(70, 170)
        draw.rectangle((x, HORIZON - height, x + width, HORIZON + 10), fill=_shade(rng, (196, 190, 180), 30))
        for wx in range(x + 10, x + width - 15, 24):
            for wy in range(HORIZON - height + 12, HORIZON - 5, 26):
                draw.rectangle((wx, wy, wx + 12, wy + 14), fill=_shade(rng, (120, 140, 160), 10))
        x += width + rng.randint(0, 20)


def _street(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, rng)
    draw.rectangle((0, HORIZON + 10, WIDTH, 300), fill=_shade(rng, (190, 186, 178), 8))  # pavement
    for x in range(0, WIDTH, 40):
        draw.line((x, HORIZON + 10, x - 20, 300), fill=(170, 166, 160))
    draw.rectangle((0, 300, WIDTH, 310), fill=(150, 150, 150))  # kerb
    draw.rectangle((0, 310, WIDTH, HEIGHT), fill=_shade(rng, (92, 94, 98), 6))  # road
    for x in range(rng.randint(0, 40), WIDTH, 120):
        draw.rectangle((x, 392, x + 60, 398), fill=(235, 235, 225))


def _wall(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    base = _shade(rng, (214, 200, 176), 20)
    draw.rectangle((0, 0, WIDTH, 380), fill=base)
    for y in range(0, 380, 30):
        draw.line((0, y, WIDTH, y), fill=(base[0] - 20, base[1] - 20, base[2] - 20))
    door = rng.randint(60, 480)
    draw.rectangle((door, 150, door + 90, 380), fill=_shade(rng, (110, 80, 60)))
    draw.rectangle((0, 380, WIDTH, HEIGHT), fill=_shade(rng, (180, 178, 172), 8))


def _yard(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, rng)
    draw.rectangle((0, HORIZON + 10, WIDTH, HEIGHT), fill=_shade(rng, (96, 150, 84), 14))  # lawn
    path = rng.randint(220, 380)
    draw.polygon([(path, HORIZON + 10), (path + 60, HORIZON + 10), (path + 200, HEIGHT), (path - 80, HEIGHT)],
                 fill=(200, 196, 186))
    for _ in range(4):
        x = rng.randint(0, WIDTH)
        draw.ellipse((x - 30, HORIZON - 40, x + 30, HORIZON + 30), fill=_shade(rng, (60, 120, 60), 12))


def _ground(rng: random.Random) -> tuple[int, int]:
    return rng.randint(10, WIDTH - 60), rng.randint(230, HEIGHT - 40)


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return rng.randint(20, 250), rng.randint(20, 250), rng.randint(20, 250)


def _litter(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:  # an emptied bin and a swept pavement
        draw.rectangle((520, 230, 560, 290), fill=(40, 120, 70))
        return
    draw.rectangle((520, 230, 560, 290), fill=(40, 120, 70))
    for _ in range(rng.randint(25, 45)):
        x, y = _ground(rng)
        w, h = rng.randint(6, 30), rng.randint(5, 20)
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + w, y + h), fill=_colour(rng))
        else:
            draw.polygon([(x, y), (x + w, y + rng.randint(0, h)), (x + rng.randint(0, w), y + h)], fill=_colour(rng))


def _rubble(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:
        return
    for _ in range(3):
        x, y = _ground(rng)
        draw.polygon([(x, y + 40), (x + 50, y - 10), (x + 120, y + 40)], fill=_shade(rng, (150, 130, 110), 20))
    for _ in range(30):
        x, y = _ground(rng)
        draw.ellipse((x, y, x + 8, y + 6), fill=_shade(rng, (120, 110, 100), 20))


def _boxes(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    for i in range(rng.randint(8, 14) if not tidy else 0):
        x, y = _ground(rng)
        w, h = rng.randint(30, 80), rng.randint(25, 60)
        draw.rectangle((x, y - h, x + w, y), fill=_shade(rng, (170, 130, 90), 25), outline=(90, 70, 50))
        if i % 3 == 0:
            draw.line((x, y - h, x + w, y), fill=(90, 70, 50), width=2)


def _car(draw: ImageDraw.ImageDraw, x: int, y: int, colour: tuple[int, int, int]) -> None:
    draw.rounded_rectangle((x, y - 40, x + 120, y), radius=10, fill=colour)
    draw.rounded_rectangle((x + 20, y - 62, x + 95, y - 38), radius=8, fill=(colour[0] // 2 + 60,) * 3)
    draw.ellipse((x + 12, y - 14, x + 36, y + 10), fill=(30, 30, 30))
    draw.ellipse((x + 84, y - 14, x + 108, y + 10), fill=(30, 30, 30))


def _cars(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:  # parked in painted bays along the road
        for x in range(20, WIDTH - 130, 150):
            draw.rectangle((x - 8, 330, x + 132, 420), outline=(240, 240, 240), width=3)
            if rng.random() < 0.6:
                _car(draw, x, 405, _colour(rng))
        return
    for _ in range(rng.randint(3, 5)):  # on the pavement, askew
        _car(draw, rng.randint(0, WIDTH - 120), rng.randint(250, 300), _colour(rng))


def _bike(draw: ImageDraw.ImageDraw, x: int, y: int, colour: tuple[int, int, int], lean: int) -> None:
    draw.ellipse((x, y - 20, x + 22, y + 2), outline=(30, 30, 30), width=3)
    draw.ellipse((x + 32, y - 20 + lean, x + 54, y + 2 + lean), outline=(30, 30, 30), width=3)
    draw.line((x + 11, y - 9, x + 27, y - 28, x + 43, y - 9 + lean), fill=colour, width=4)


def _bikes(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:
        draw.rectangle((40, 240, 600, 295), outline=(240, 240, 240), width=3)
        for x in range(50, 560, 34):
            _bike(draw, x, 285, (230, 200, 30) if rng.random() < 0.5 else (40, 170, 220), 0)
        return
    for _ in range(rng.randint(14, 24)):
        x, y = _ground(rng)
        _bike(draw, x, y, (230, 200, 30) if rng.random() < 0.5 else (40, 170, 220), rng.randint(-15, 15))


def _posters(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:  # one notice board, nothing else on the wall
        draw.rectangle((240, 60, 400, 150), fill=(200, 40, 40))
        draw.rectangle((250, 70, 390, 140), fill=(250, 245, 230))
        return
    for _ in range(rng.randint(20, 40)):
        x, y = rng.randint(0, WIDTH - 40), rng.randint(20, 340)
        w, h = rng.randint(20, 50), rng.randint(14, 40)
        draw.rectangle((x, y, x + w, y + h), fill=_shade(rng, (240, 235, 220), 15))
        for line in range(y + 4, y + h - 3, 6):
            draw.line((x + 3, line, x + w - 3, line), fill=_colour(rng))


def _signs(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:
        draw.rectangle((80, 40, 560, 100), fill=(30, 60, 130))
        draw.rectangle((90, 50, 550, 90), outline=(230, 200, 120), width=2)
        return
    for _ in range(rng.randint(3, 6)):
        x, y = rng.randint(0, WIDTH - 160), rng.randint(20, 300)
        w, h = rng.randint(80, 200), rng.randint(30, 70)
        box = [(x, y), (x + w, y + rng.randint(-15, 15)), (x + w, y + h), (x, y + h + rng.randint(-10, 10))]
        draw.polygon(box, fill=_colour(rng), outline=(40, 40, 40))
        draw.line((x + 10, y + 5, x + w // 2, y + h), fill=(30, 30, 30), width=2)  # a tear


def _fence(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:  # a closed hoarding along the kerb line
        draw.rectangle((0, 215, WIDTH, 290), fill=(40, 110, 160))
        return
    for x in range(0, WIDTH, 70):
        if rng.random() < 0.7:
            draw.polygon([(x, 290), (x + 60, 290 + rng.randint(-20, 20)), (x + 50, 230), (x + 5, 240)],
                         fill=_shade(rng, (60, 120, 170), 30))
    _rubble(draw, rng, tidy=False)


def _stalls(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:
        return
    for _ in range(rng.randint(3, 5)):
        x, y = _ground(rng)
        draw.polygon([(x - 40, y - 60), (x + 80, y - 60), (x + 20, y - 95)], fill=_colour(rng))
        draw.line((x + 20, y - 60, x + 20, y), fill=(60, 60, 60), width=3)
        draw.rectangle((x - 30, y - 25, x + 70, y), fill=_shade(rng, (170, 130, 90), 25))
        for k in range(5):
            draw.ellipse((x - 25 + k * 18, y - 35, x - 12 + k * 18, y - 22), fill=_colour(rng))


def _smoke(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:
        return
    x, y = rng.randint(80, WIDTH - 260), rng.randint(300, HEIGHT - 30)
    draw.rectangle((x, y - 20, x + 60, y), fill=(40, 40, 40))
    for k in range(14):
        r = 12 + k * 5
        cx, cy = x + 30 + rng.randint(-20, 20) + k * 4, y - 30 - k * 18
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_shade(rng, (150, 150, 150), 15))


def _cracks(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    x, y = rng.randint(150, 450), rng.randint(330, 420)
    if tidy:  # a fresh patch
        draw.rectangle((x - 70, y - 35, x + 70, y + 35), fill=(60, 62, 66))
        return
    draw.ellipse((x - 50, y - 25, x + 50, y + 25), fill=(45, 40, 35))
    for _ in range(8):
        points = [(x, y)]
        for _step in range(5):
            px, py = points[-1]
            points.append((px + rng.randint(-40, 40), py + rng.randint(-20, 20)))
        draw.line(points, fill=(30, 30, 30), width=3)


def _water(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:
        return
    for _ in range(rng.randint(3, 6)):
        x, y = _ground(rng)
        draw.ellipse((x - 80, y - 20, x + 120, y + 30), fill=_shade(rng, (90, 120, 150), 15))


def _snow(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:  # a cleared lane, snow banked at the kerb
        draw.rectangle((0, 290, WIDTH, 312), fill=(240, 244, 248))
        return
    draw.rectangle((0, HORIZON + 10, WIDTH, HEIGHT), fill=(236, 240, 246))
    for _ in range(40):
        x, y = _ground(rng)
        draw.line((x, y, x + rng.randint(10, 60), y + rng.randint(-5, 5)), fill=(180, 190, 200), width=2)


def _wires(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:
        draw.rectangle((20, 30, 26, 380), fill=(90, 90, 90))
        return
    for _ in range(rng.randint(6, 12)):
        points = [(rng.randint(0, WIDTH), rng.randint(0, 100))]
        for _step in range(4):
            points.append((rng.randint(0, WIDTH), rng.randint(50, 370)))
        draw.line(points, fill=_shade(rng, (30, 30, 30), 20), width=3)


def _laundry(draw: ImageDraw.ImageDraw, rng: random.Random, tidy: bool) -> None:
    if tidy:
        return
    for row in range(2):
        y = 80 + row * 120
        draw.line((0, y, WIDTH, y + rng.randint(-10, 10)), fill=(60, 60, 60), width=2)
        for x in range(rng.randint(0, 30), WIDTH - 40, rng.randint(45, 70)):
            draw.rectangle((x, y, x + 34, y + rng.randint(40, 80)), fill=_colour(rng))


MESS_PAINTERS = {
    "litter": _litter, "rubble": _rubble, "boxes": _boxes, "cars": _cars, "bikes": _bikes, "posters": _posters,
    "signs": _signs, "fence": _fence, "stalls": _stalls, "smoke": _smoke, "cracks": _cracks, "water": _water,
    "snow": _snow, "wires": _wires, "laundry": _laundry,
}
