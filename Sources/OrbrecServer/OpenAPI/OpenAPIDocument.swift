internal import Hummingbird
internal import HTTPTypes
internal import NIOCore

/// The OpenAPI 3.1 document of the daemon's whole HTTP API, served at `GET /api/v1/openapi.json`.
/// Edited as JSON in `openapi.json` next to this file, kept by hand next to the routes: a change
/// to a route or a document changes it too. Plugins/EmbedJSONPlugin embeds it in the binary at
/// build time. OpenAPIConformanceTests call every route it documents; `scripts/openapi-check.sh`
/// exercises a running daemon against it.
enum OpenAPIDocument {
    static let json: String = EmbeddedJSON.openapi

    /// `GET /api/v1/openapi.json`.
    static func response() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}
