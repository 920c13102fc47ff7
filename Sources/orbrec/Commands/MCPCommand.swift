internal import ArgumentParser
internal import OrbrecMCP

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the Model Context Protocol over stdin and stdout, for agents.",
        discussion: """
            Tools: list_resources, status, plan_preview (read-only), show_request, list_tasks, requeue_tasks, and for \
            workers of pull pools claim_task, heartbeat_task, complete_task, fail_task and release_task. Stdout carries \
            the protocol only (newline-delimited JSON-RPC); logs go to stderr. Ends when stdin does.
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await Session.run(global) { session in
            session.logger.info("serving MCP on stdio", [("config", global.config), ("state", global.stateShown)])
            try await OrbrecMCPServer(backend: SessionMCPBackend(session: session), version: Orbrec.configuration.version)
                .serveStandardIO()
            return .success
        }
    }
}
