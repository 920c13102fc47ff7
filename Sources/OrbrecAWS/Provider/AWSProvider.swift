public import OrbrecCore
internal import Foundation

/// The `aws` provider: machines are EC2 instances, made with RunInstances (one call per
/// machine, so each instance carries its own `orbrec:machine` tag), returned with
/// TerminateInstances, and found with DescribeInstances filtered by `orbrec:managed-by`.
public final class AWSProvider: Provider {
    public let name: String
    public let client: EC2Client

    public init(name: String, client: EC2Client) {
        self.name = name
        self.client = client
    }

    public func machines(ownedBy owner: String) async throws -> [ObservedMachine] {
        var machines: [ObservedMachine] = []
        var token: String?
        repeat {
            var parameters = [EC2Request.Parameter("Filter.1.Name", "tag:\(AWSTags.managedBy)"), EC2Request.Parameter("Filter.1.Value.1", owner),
                              EC2Request.Parameter("Filter.2.Name", "tag:\(AWSTags.provider)"), EC2Request.Parameter("Filter.2.Value.1", name),
                              EC2Request.Parameter("MaxResults", "1000")]
            if let token { parameters.append(EC2Request.Parameter("NextToken", token)) }
            let tree: XMLTree
            do {
                tree = try await client.send(EC2Request(action: "DescribeInstances", parameters: parameters))
            } catch {
                throw error.providerError
            }
            let page = EC2Instance.describePage(tree)
            for instance in page.instances {
                guard let machine = instance.tags[AWSTags.machine], let fleet = instance.tags[AWSTags.fleet] else { continue }
                machines.append(ObservedMachine(
                    id: machine, fleet: fleet, template: instance.tags[AWSTags.template] ?? "",
                    templateHash: instance.tags[AWSTags.templateHash] ?? "", provider: name, providerID: instance.instanceID,
                    actionID: instance.tags[AWSTags.action] ?? "", state: instance.machineState, createdAt: instance.launchedAt,
                    message: "\(instance.instanceID) \(instance.state)"))
            }
            token = page.nextToken
        } while token != nil
        // An id seen twice (a launch retried by an earlier crash) is the live one, else the first.
        return Dictionary(grouping: machines, by: \.id).compactMap { _, copies in
            copies.first { $0.state.isLive } ?? copies.first
        }.sorted { $0.id < $1.id }
    }

    public func provision(_ order: ProvisionOrder) async -> [MachineOutcome] {
        var outcomes: [MachineOutcome] = []
        for machine in order.machineIDs {
            do {
                let tree = try await client.send(runInstances(order, machine: machine))
                guard let instance = EC2Instance.launched(tree).first else {
                    outcomes.append(MachineOutcome(machineID: machine, error: ProviderError(code: "NoInstance", message: "RunInstances launched nothing")))
                    continue
                }
                outcomes.append(MachineOutcome(machineID: machine, providerID: instance.instanceID))
            } catch {
                outcomes.append(MachineOutcome(machineID: machine, error: error.providerError))
            }
        }
        return outcomes
    }

    public func returnMachines(_ order: ReturnOrder) async -> [MachineOutcome] {
        let known = order.machines.filter { ($0.providerID ?? "").hasPrefix("i-") }
        var outcomes = order.machines.filter { !($0.providerID ?? "").hasPrefix("i-") }
            .map { MachineOutcome(machineID: $0.id, providerID: $0.providerID) }
        guard !known.isEmpty else { return outcomes }
        do {
            _ = try await client.send(EC2Request(action: "TerminateInstances",
                                                 parameters: EC2Request.list("InstanceId", known.compactMap(\.providerID))))
            outcomes += known.map { MachineOutcome(machineID: $0.id, providerID: $0.providerID) }
        } catch where error.code == "InvalidInstanceID.NotFound" {
            // Already gone: one by one, so that the ones still there are terminated.
            for machine in known {
                do {
                    _ = try await client.send(EC2Request(action: "TerminateInstances", parameters: EC2Request.list("InstanceId", [machine.providerID ?? ""])))
                    outcomes.append(MachineOutcome(machineID: machine.id, providerID: machine.providerID))
                } catch where error.code == "InvalidInstanceID.NotFound" {
                    outcomes.append(MachineOutcome(machineID: machine.id, providerID: machine.providerID))
                } catch {
                    outcomes.append(MachineOutcome(machineID: machine.id, providerID: machine.providerID, error: error.providerError))
                }
            }
        } catch {
            outcomes += known.map { MachineOutcome(machineID: $0.id, providerID: $0.providerID, error: error.providerError) }
        }
        return outcomes
    }

    /// One instance of `order`'s template, tagged with its identity. The ClientToken makes a
    /// repeated call idempotent on AWS (moto ignores it; recovery relies on the tags).
    func runInstances(_ order: ProvisionOrder, machine: String) -> EC2Request {
        let template = order.template
        var parameters: [EC2Request.Parameter] = [
            .init("ImageId", template.imageId ?? ""), .init("MinCount", "1"), .init("MaxCount", "1"),
            .init("ClientToken", String("\(order.actionID)-\(machine)".prefix(64))),
            .init("InstanceType", template.instanceType ?? template.instanceTypes?.sorted { $0.key < $1.key }.first?.key ?? ""),
            .init("TagSpecification.1.ResourceType", "instance"),
        ]
        if let subnet = template.subnetIds?.first { parameters.append(.init("SubnetId", subnet)) }
        parameters += EC2Request.list("SecurityGroupId", template.securityGroupIds ?? [])
        if let key = template.keyName { parameters.append(.init("KeyName", key)) }
        if let userData = template.userData { parameters.append(.init("UserData", Data(userData.utf8).base64EncodedString())) }
        if template.priceType == .spot { parameters.append(.init("InstanceMarketOptions.MarketType", "spot")) }
        let tags: [(String, String)] = [
            (AWSTags.managedBy, order.owner), (AWSTags.provider, name), (AWSTags.fleet, order.fleet), (AWSTags.machine, machine),
            (AWSTags.action, order.actionID), (AWSTags.template, template.name), (AWSTags.templateHash, order.templateHash),
        ] + (template.tags ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        parameters += EC2Request.tags("TagSpecification.1.Tag", tags)
        return EC2Request(action: "RunInstances", parameters: parameters)
    }
}
