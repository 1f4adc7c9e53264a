"""A product registered on the demo page, as a person would: menu button, typing, tapping,
and an album of photos picked from the phone's gallery (headless chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import photo_samples
from tests.e2e.seed import registered_user
from tests.e2e.test_demo_page import Screen, browser, page  # noqa: F401 (fixtures)
from tests.e2e.test_products import photos_of, products_of

pytestmark = pytest.mark.browser


async def test_register_a_product_with_an_album_on_the_page(  # type: ignore[no-untyped-def]
    emu,
    bot,
    client,
    database,
    page,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    uid = 2301
    await registered_user(database, uid, language="hi")
    await client.create_user(id=uid, first_name="सीमा", language_code="hi")
    screen = Screen(page, "product")
    await screen.open(f"{emu.url}/?user={uid}")
    await screen.type_and_send("/menu")
    await screen.reply("➕ नया उत्पाद").click()
    await screen.bubble("इसका नाम क्या है?").wait_for()
    await screen.type_and_send("चिकनकारी सूती कुर्ता")
    guessed = screen.inline("pn:cat:kurta")
    await guessed.wait_for()
    assert (await guessed.inner_text()).startswith("✅")
    await guessed.click()
    await screen.bubble("दाम कितने रुपये").wait_for()
    await screen.type_and_send("१२००")
    await screen.bubble("कितने पीस तैयार").wait_for()
    await screen.type_and_send("5")
    await screen.bubble("1 से 10 फ़ोटो").wait_for()

    files = []
    for seed in (1, 2, 3):
        path = tmp_path / f"kurta{seed}.jpg"
        path.write_bytes(photo_samples.good_photo(seed))
        files.append(str(path))
    await page.locator("#photo-input").set_input_files(files)  # three at once: an album
    await screen.bubble("3 फ़ोटो मिलीं").wait_for()
    await screen.snap("album")
    await screen.inline("pn:done").click()
    for _ in range(3):
        skip = screen.reply("⏭️ छोड़ें")
        await skip.wait_for()
        await skip.click()
    save = screen.inline("pn:save")
    await save.wait_for()
    await screen.snap("card")
    await save.click()
    await screen.bubble("उत्पाद का स्कोर").wait_for()
    await screen.snap("tips")

    [product] = await products_of(database, uid)
    assert (product.name, product.category, product.price_paise, product.stock) == (
        "चिकनकारी सूती कुर्ता",
        "kurta",
        120_000,
        5,
    )
    assert len(await photos_of(database, product.id)) == 3
