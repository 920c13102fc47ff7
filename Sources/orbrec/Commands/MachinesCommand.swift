internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecSpec
internal import OrbrecStore
internal import OrbrecEngine

struct MachinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machines", abstract: "Machine requests and returns.", subcommands: [Request.self, Return.self])
}
