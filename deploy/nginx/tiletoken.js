// Checks Scopecast tile tokens inside nginx (njs), for tile-fastpath.conf.
// The scheme is documented in slides/tokens.py and docs/tiles.md:
//   token = base36(expiry) "." base64url(HMAC-SHA256(key, "{slide}:{version}:{expiry}")[:18])
//   key   = SHA-256("scopecast.slides.tokens" + SECRET_KEY), given to nginx as
//           64 hex digits in $scopecast_tile_key.
// Returns "1" when the token grants this slide version now, else "0".

const crypto = require("crypto");

const VERSION = /^[0-9]{1,9}$/;
const TOKEN = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{24})$/;

function check(r) {
    const key = r.variables.scopecast_tile_key || "";
    const slide = r.variables.sc_slide || "";
    const version = r.args.v || "";
    const match = TOKEN.exec(r.args.t || "");
    if (key.length !== 64 || !slide || !VERSION.test(version) || !match) {
        return "0";
    }
    const expiry = parseInt(match[1], 36);
    if (!(expiry > Date.now() / 1000)) {
        return "0";
    }
    const mac = crypto
        .createHmac("sha256", Buffer.from(key, "hex"))
        .update(slide + ":" + version + ":" + expiry)
        .digest();
    const expected = mac.slice(0, 18).toString("base64url");
    return expected === match[2] ? "1" : "0";
}

export default { check };
