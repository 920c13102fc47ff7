/// Launch templates, made once by name.
extension EC2Client {
    /// Creates the launch template `name` from `data` (`LaunchTemplateData.*` parameters)
    /// unless it exists: a name that carries the spec's hash stands for the same data.
    public func ensureLaunchTemplate(_ name: String, data: [EC2Request.Parameter]) async throws(EC2Error) {
        do {
            _ = try await send(EC2Request(action: "CreateLaunchTemplate", parameters: [.init("LaunchTemplateName", name)] + data))
        } catch where error.code == "InvalidLaunchTemplateName.AlreadyExistsException" {
            // Made by an earlier order of the same spec.
        }
    }
}
