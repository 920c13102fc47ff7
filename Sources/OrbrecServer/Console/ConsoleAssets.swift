internal import Hummingbird
internal import HTTPTypes
internal import NIOCore

/// The web console's files, embedded in the binary at build time by Plugins/EmbedJSONPlugin
/// (`EmbeddedAssets`): the page at `/`, its script and style sheet under `/console/`. Nothing is
/// fetched from elsewhere, so the console works without internet and its policy can be `self` only.
enum ConsoleAssets {
    /// Scripts and styles only from this daemon: no inline script or style, no `eval`, no frames;
    /// the page's own calls (fetch) only to this daemon. (Widths the script sets through the DOM,
    /// such as a progress bar's, are not style attributes and need no exception.)
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The page's name at `/`.
    static let page = "index.html"

    /// The text of a file of the console, nil for a name that is none.
    static func text(_ name: String) -> String? { EmbeddedAssets.files[name] }

    static func contentType(_ name: String) -> String? {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        default: nil
        }
    }

    /// A file as served, with the headers that keep it from being framed, sniffed as another
    /// type or cached across daemon upgrades; nil when there is no such file.
    static func response(_ name: String) -> Response? {
        guard let text = text(name), let type = contentType(name) else { return nil }
        var headers: HTTPFields = [.contentType: type, .cacheControl: "no-cache"]
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
