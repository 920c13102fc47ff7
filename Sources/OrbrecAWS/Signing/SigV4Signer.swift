public import OrbrecCore
internal import Crypto
internal import Foundation

/// AWS Signature Version 4 for one service in one region. Pure: the time comes in as an
/// `Instant`, so the published test vectors pin it exactly.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request to sign: `headers` must include `Host`.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        public var body: [UInt8]

        public init(method: String, path: String = "/", query: [(String, String)] = [], headers: [(String, String)], body: [UInt8] = []) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }
    }

    /// The headers to add: `X-Amz-Date`, `X-Amz-Security-Token` when there is a session
    /// token, and `Authorization`.
    public func sign(_ request: Request, at time: Instant) -> [(String, String)] {
        let (amzDate, day) = Self.timestamps(time)
        var headers = request.headers.filter { $0.0.lowercased() != "authorization" }
        var added: [(String, String)] = [("X-Amz-Date", amzDate)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        headers += added
        let canonical = canonicalRequest(request, headers: headers)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Self.hex(SHA256.hash(data: Array(canonical.request.utf8))))"
        let signature = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day: day))
        added.append(("Authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(Self.hex(signature))"))
        return added
    }

    /// The canonical request and the signed header names, as the SigV4 specification builds them.
    func canonicalRequest(_ request: Request, headers: [(String, String)]) -> (request: String, signedHeaders: String) {
        let path = request.path.isEmpty ? "/" : request.path.split(separator: "/", omittingEmptySubsequences: false)
            .map { Self.encode(String($0)) }.joined(separator: "/")
        let encoded: [(key: String, value: String)] = request.query.map { (key: Self.encode($0.0), value: Self.encode($0.1)) }
        let sorted = encoded.sorted { lhs, rhs in lhs.key == rhs.key ? lhs.value < rhs.value : lhs.key < rhs.key }
        let query = sorted.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let collapsed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(collapsed)
        }
        let names = merged.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let payload = Self.hex(SHA256.hash(data: request.body))
        return ([request.method, path, query, canonicalHeaders, signedHeaders, payload].joined(separator: "\n"), signedHeaders)
    }

    /// The signing key's bytes, for checking against the documentation's example.
    public func signingKeyBytes(day: String) -> [UInt8] {
        signingKey(day: day).withUnsafeBytes { Array($0) }
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// `20150830T123600Z` and `20150830`, in UTC.
    static func timestamps(_ time: Instant) -> (String, String) {
        let seconds = time.millisecondsSinceEpoch / 1000
        let days = seconds / 86_400
        var rest = seconds % 86_400
        let (year, month, day) = civil(fromDays: days)
        let hour = rest / 3600
        rest %= 3600
        let pad = { (value: Int64, width: Int) in String(repeating: "0", count: max(0, width - String(value).count)) + String(value) }
        let date = pad(year, 4) + pad(month, 2) + pad(day, 2)
        return (date + "T" + pad(hour, 2) + pad(rest / 60, 2) + pad(rest % 60, 2) + "Z", date)
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// RFC 3986 percent-encoding: only unreserved characters stay.
    public static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let isUnreserved = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if isUnreserved {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return result
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String($0, radix: 16).leftPadded(2) }.joined()
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
