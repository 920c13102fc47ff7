internal import OrbrecCore

extension SchedulerDecoder {
    /// The longest control socket path: a Unix socket's name holds 108 bytes, and ssh adds
    /// 17 for the temporary name it binds first.
    static let maxControlPathBytes = 90

    /// Reads `spec.ssh`; nil (after reporting) when it is absent or wrong.
    static func ssh(_ spec: MappingReader) -> SSHSettings? {
        guard let reader = spec.mapping("ssh", owner: "spec.ssh") else { return nil }
        let context = spec.context
        let owner = "spec.ssh"
        var valid = true
        // A host or user that ssh could read as an option (`-oProxyCommand=…`) or as another
        // destination is refused here, not left to the command line.
        func name(_ key: String) -> String? {
            guard reader.requireValue(key, in: owner) != nil, let text = reader.nonEmptyString(key) else {
                valid = false
                return nil
            }
            if text.hasPrefix("-") || text.contains(where: { $0.isWhitespace || $0 == "@" || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } == true }) {
                context.error("invalid-value", "spec.ssh.\(key) '\(text)' must not start with '-' or hold spaces, control characters or '@'",
                              at: reader.value(key))
                valid = false
                return nil
            }
            return text
        }
        func path(_ key: String, required: Bool) -> String? {
            if required && reader.requireValue(key, in: owner) == nil {
                valid = false
                return nil
            }
            guard reader.value(key) != nil else { return nil }
            guard let text = reader.nonEmptyString(key) else {
                valid = false
                return nil
            }
            if text.contains("\0") || text.contains("\n") {
                context.error("invalid-value", "spec.ssh.\(key) must be one line", at: reader.value(key))
                valid = false
                return nil
            }
            return text
        }
        let host = name("host")
        let user = name("user")
        var port = SSHSettings.defaultPort
        if reader.value("port") != nil {
            if let written = reader.integer("port", minimum: 1) {
                if written <= 65535 {
                    port = written
                } else {
                    context.error("invalid-value", "spec.ssh.port must be 65535 or less, not \(written)", at: reader.value("port"))
                    valid = false
                }
            } else {
                valid = false
            }
        }
        let identityFile = path("identityFile", required: true)
        let knownHostsFile = path("knownHostsFile", required: true)
        let controlPath = path("controlPath", required: false)
        if let controlPath, controlPath.utf8.count > maxControlPathBytes {
            context.error("invalid-value", "spec.ssh.controlPath is \(controlPath.utf8.count) bytes; a socket path holds at most \(maxControlPathBytes)",
                          at: reader.value("controlPath"))
            valid = false
        }
        let remoteRunnerPath = path("remoteRunnerPath", required: false)
        let remoteDirectory = path("remoteDirectory", required: false)
        guard valid, let host, let user, let identityFile, let knownHostsFile else { return nil }
        return SSHSettings(host: host, port: port, user: user, identityFile: identityFile, knownHostsFile: knownHostsFile,
                           controlPath: controlPath, remoteRunnerPath: remoteRunnerPath, remoteDirectory: remoteDirectory)
    }
}
