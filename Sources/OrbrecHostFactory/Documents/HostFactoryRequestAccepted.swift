/// requestMachines' and requestReturnMachines' answer: the plugin's id for the request it
/// started, which getRequestStatus is then asked about.
///
///     {"requestId": "c95595c4-0c07-4eb2-8c0c-94f364ac8e76", "message": "RequestVM succeeded from Azure."}
public struct HostFactoryRequestAccepted: Hashable, Sendable, Codable {
    public var requestId: String
    public var message: String

    public init(requestId: String, message: String = "") {
        self.requestId = requestId
        self.message = message
    }

    private enum CodingKeys: String, CodingKey {
        case requestId, message
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestId = try container.decode(String.self, forKey: .requestId)
        message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
    }
}
