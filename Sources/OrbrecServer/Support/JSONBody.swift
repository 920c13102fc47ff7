internal import Foundation
internal import Hummingbird
internal import HTTPTypes
internal import NIOCore
internal import OrbrecEngine
internal import OrbrecAPI

/// JSON responses: sorted keys, so answers are stable and diffable.
enum JSONBody {
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        var data = try APIJSON.data(value)
        data.append(0x0A)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ error: APIError) -> Response {
        var headers: HTTPFields = [:]
        if error.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"orbrec\"" }
        let response = (try? Self.response(ErrorDocument(error.code, error.message), status: error.status))
            ?? Response(status: error.status)
        var withHeaders = response
        for field in headers { withHeaders.headers.append(field) }
        return withHeaders
    }
}
