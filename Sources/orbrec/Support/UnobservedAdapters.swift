internal import OrbrecCore

/// A plan made without seeing a provider or scheduler is not a plan to trust (like a failed
/// refresh in Terraform): it is shown, and the command then fails with their errors.
func failIfAdaptersWereUnobserved(_ plan: Plan) throws {
    let providers = plan.warnings.filter { $0.code == "provider-unreachable" }.count
    let schedulers = plan.warnings.filter { $0.code == "scheduler-unreachable" }.count
    guard providers + schedulers > 0 else { return }
    var parts: [String] = []
    if providers > 0 { parts.append("\(providers) provider(s)") }
    if schedulers > 0 { parts.append("\(schedulers) scheduler(s)") }
    throw CommandFailure(.error, "\(parts.joined(separator: " and ")) could not be observed; what they hold was left unchanged")
}
