/// The files `orbrec init` writes: the same configuration as examples/quickstart, so a new
/// directory runs on the embedded defaults (local provider, SQLite state) at once.
enum Quickstart {
    static let files: [(name: String, content: String)] = [
        ("provider.yaml", """
            # Machines on this host: each one is a process started from its template's argv.
            apiVersion: orbrec/v1
            kind: Provider
            metadata:
              name: here
            spec:
              type: local
            """),
        ("template.yaml", """
            # What one machine is: a harmless long-lived command.
            apiVersion: orbrec/v1
            kind: Template
            metadata:
              name: sleeper
            spec:
              provider: here
              command: ["sleep", "infinity"]
              stopTimeout: 5s
              maxMachines: 10
            """),
        ("fleet.yaml", """
            # How many machines of the template should exist. Change count and run
            # 'orbrec plan' to see what would change.
            apiVersion: orbrec/v1
            kind: Fleet
            metadata:
              name: workers
              labels: {owner: quickstart}
            spec:
              template: sleeper
              count: 3
              scaleIn: newest-first
              updateStrategy: {maxSurge: 1, maxUnavailable: 0}
            """),
    ]
}
