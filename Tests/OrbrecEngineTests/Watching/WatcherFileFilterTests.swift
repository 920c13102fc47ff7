@testable import OrbrecEngine
import Testing

@Suite struct WatcherFileFilterTests {
    @Test(arguments: ["web.yaml", "web.yml", "web.json", "WEB.YAML", "a.b.Yml", "v1.2.json"])
    func configurationFiles(name: String) {
        #expect(ConfigurationFileFilter.isConfigurationFile(name))
    }

    @Test(arguments: ["4913", "web.yaml~", "web.yaml.swp", ".web.yaml.swp", ".hidden.yaml", ".yaml", "state.db", "web.yaml.tmp", "yaml"])
    func otherFiles(name: String) {
        #expect(!ConfigurationFileFilter.isConfigurationFile(name))
    }

    @Test func hiddenNames() {
        #expect(ConfigurationFileFilter.isHidden(".orbrec"))
        #expect(ConfigurationFileFilter.isHidden(".git"))
        #expect(!ConfigurationFileFilter.isHidden("fleets"))
    }

    @Test func watchModesAreNamedForTheCommandLine() {
        #expect(WatchMode.allCases.map(\.rawValue) == ["inotify", "poll"])
    }
}
