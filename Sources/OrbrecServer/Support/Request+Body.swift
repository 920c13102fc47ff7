internal import Foundation
internal import Hummingbird
internal import NIOCore

extension Request {
    /// The whole body, or 413 `too-large` past `limits.maxBody` (a chunked body has no length
    /// for `BodyLimitMiddleware` to refuse up front). Its time is bounded by the connection's guard.
    func boundedBody(_ limits: HTTPLimits) async throws -> Data {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limits.maxBody)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limits.maxBody)
        }
        return Data(buffer.readableBytesView)
    }
}
