internal import HTTPTypes
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecAPI

extension MachineRequestRefused {
    /// The API's answer to a refused machine request or return: 400 for what the caller must
    /// change in the request, 404 for what does not exist, 409 for what the state does not allow
    /// now (a limit, a policy, a return already under way), 503 when no configuration is in force.
    var apiError: APIError {
        let status: HTTPResponse.Status = switch code {
        case .invalidCount: .badRequest
        case .unknownTemplate, .unknownMachine, .unknownRequest: .notFound
        case .notReady: .serviceUnavailable
        // over-limit, policy-denied, already-returning, and whatever the engine refuses next.
        default: .conflict
        }
        return APIError(status, code, message)
    }
}

extension MachineRequestInput.Refusal {
    var apiError: APIError { APIError(.badRequest, code, message) }
}
