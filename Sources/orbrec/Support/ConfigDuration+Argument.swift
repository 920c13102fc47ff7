public import ArgumentParser
public import OrbrecCore

extension ConfigDuration: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
