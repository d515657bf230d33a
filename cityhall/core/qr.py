import segno


def qr_svg(data: str, *, scale: int = 5, title: str = "") -> str:
    """An inline SVG QR code (no image files, no JavaScript)."""
    return segno.make(data, error="m").svg_inline(scale=scale, title=title or None, border=2)
