internal import HTTPTypes
internal import OrbrecCore
internal import OrbrecEngine

extension WorkflowRunRefused {
    /// The API's answer to a refused workflow call: 404 for what does not exist, 409 for what
    /// the run's state does not allow now, 503 when no configuration is in force.
    var apiError: APIError {
        let status: HTTPResponse.Status = switch code {
        case .unknownWorkflow, .unknownRun: .notFound
        case .notReady: .serviceUnavailable
        // run-in-progress, run-finished, idempotency_key_reused.
        default: .conflict
        }
        return APIError(status, code, message)
    }
}
