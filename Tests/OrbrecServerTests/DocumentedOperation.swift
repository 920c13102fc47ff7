import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OrbrecTestSupport

/// One operation of the OpenAPI document (a path and a method), with what a test needs to call
/// it from the document alone (its parameters' and body's examples) and to judge its answer.
struct DocumentedOperation: CustomStringConvertible {
    let method: String
    let path: String
    let id: String
    let object: JSONValue
    let parameters: [JSONValue]

    var description: String { "\(method.uppercased()) \(path) (\(id))" }
    var route: String { "\(method.uppercased()) \(path)" }

    static let methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// Every operation, in the document's order of paths and of methods.
    static func all(in document: JSONValue, validator: JSONSchemaValidator) -> [DocumentedOperation] {
        var operations: [DocumentedOperation] = []
        // JSONValue's objects do not keep their order: the paths are read in sorted order.
        for (path, item) in (document["paths"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
            let shared = item["parameters"]?.array ?? []
            for method in methods {
                guard let object = item[method] else { continue }
                let own = object["parameters"]?.array ?? []
                let resolved = (shared + own).map { parameter in parameter["$ref"]?.string.flatMap(validator.resolve) ?? parameter }
                operations.append(DocumentedOperation(method: method, path: path, id: object["operationId"]?.string ?? "\(method) \(path)",
                                                      object: object, parameters: resolved))
            }
        }
        return operations
    }

    func parameters(in location: String) -> [JSONValue] { parameters.filter { $0["in"]?.string == location } }

    /// The example of the JSON request body, if the operation takes one.
    var bodyExample: JSONValue? { object["requestBody"]?["content"]?["application/json"]?["example"] }

    var takesBody: Bool { object["requestBody"] != nil }

    /// Whether the operation answers a never-ending stream (Server-Sent Events).
    var streams: Bool { object["responses"]?["200"]?["content"]?["text/event-stream"] != nil }

    func documents(_ status: Int) -> Bool { object["responses"]?[String(status)] != nil }
}

/// A request to make: a documented operation with its path parameters, query and body filled.
struct Call: CustomStringConvertible {
    var method: HTTPRequest.Method
    var pathTemplate: String
    var pathValues: [String: String] = [:]
    var query: [(String, String)] = []
    var headers: HTTPFields = [:]
    var body: JSONValue?

    var description: String { "\(method) \(uri)" }

    /// The operation's call from its examples: every path parameter's, every query
    /// parameter's that has one, and the body's.
    init(_ operation: DocumentedOperation, token: String?) throws {
        guard let method = HTTPRequest.Method(operation.method.uppercased()) else { throw Missing("a method named \(operation.method)") }
        self.method = method
        pathTemplate = operation.path
        for parameter in operation.parameters(in: "path") {
            guard let name = parameter["name"]?.string, let example = parameter["example"].map(Self.text) else {
                throw Missing("an example for the path parameter \(parameter["name"]?.string ?? "?") of \(operation)")
            }
            pathValues[name] = example
        }
        for parameter in operation.parameters(in: "query") {
            if let name = parameter["name"]?.string, let example = parameter["example"].map(Self.text) { query.append((name, example)) }
        }
        if let token { headers[.authorization] = "Bearer \(token)" }
        if operation.takesBody {
            guard let example = operation.bodyExample else { throw Missing("an example of the request body of \(operation)") }
            body = example
        }
    }

    var uri: String {
        var path = pathTemplate
        for (name, value) in pathValues {
            path = path.replacingOccurrences(of: "{\(name)}", with: value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? value)
        }
        guard !query.isEmpty else { return path }
        var components = URLComponents()
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        return path + "?" + (components.percentEncodedQuery ?? "")
    }

    func send(_ client: some TestClientProtocol) async throws -> TestResponse {
        var headers = self.headers
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONEncoder().encode(body))
        }
        return try await client.execute(uri: uri, method: method, headers: headers, body: buffer)
    }

    static func text(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.description
    }

    struct Missing: Error, CustomStringConvertible {
        let what: String
        init(_ what: String) { self.what = what }
        var description: String { "the document gives no \(what)" }
    }
}

/// Judges answers against the document: the status must be one the operation documents, and
/// the body must be of a documented media type and, for JSON, fit that type's schema.
struct AnswerCheck {
    let validator: JSONSchemaValidator

    func problems(_ response: TestResponse, for operation: DocumentedOperation, call: Call) -> [String] {
        let status = Int(response.status.code)
        let said = "\(call) answered \(status)"
        guard var documented = operation.object["responses"]?[String(status)] ?? operation.object["responses"]?["default"] else {
            return ["\(said), which \(operation) does not document: \(String(buffer: response.body).prefix(300))"]
        }
        if let reference = documented["$ref"]?.string {
            guard let target = validator.resolve(reference) else { return ["\(operation): \(reference) names nothing"] }
            documented = target
        }
        var problems: [String] = []
        for (name, header) in documented["headers"]?.object ?? [:] {
            guard let field = HTTPField.Name(name), let value = response.headers[field], let schema = header["schema"] else { continue }
            problems += validator.problems(.string(value), against: schema, at: "header \(name)").map { "\(said): \($0)" }
        }
        let body = response.body
        guard let content = documented["content"]?.object else {
            if body.readableBytes > 0 { problems.append("\(said) with a body, where the document has none: \(String(buffer: body).prefix(300))") }
            return problems
        }
        let mediaType = response.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content[mediaType] else {
            return problems + ["\(said) with Content-Type \(mediaType.isEmpty ? "none" : mediaType); the document has \(content.keys.sorted().joined(separator: ", "))"]
        }
        guard mediaType == "application/json" || mediaType.hasSuffix("+json") else { return problems }
        let value: JSONValue
        do {
            value = try JSONValue.parse(Data(body.readableBytesView))
        } catch {
            return problems + ["\(said) with a body that is not JSON: \(String(buffer: body).prefix(300))"]
        }
        guard let schema = media["schema"] else { return problems }
        return problems + validator.problems(value, against: schema).map { "\(said): \($0)" }
    }
}
