public import OrbrecCore
public import Foundation
internal import Synchronization

/// The `aws` provider: machines are EC2 instances. A template with `providerApi: RunInstances`
/// makes one RunInstances call per machine, so each instance is born with its own
/// `orbrec:machine` tag; `providerApi: EC2Fleet` makes one instant fleet per order and tags
/// each instance it got with its machine id afterwards; `providerApi: SpotFleet` one one-time
/// Spot Fleet request per order, and `providerApi: ASG` one Auto Scaling group per fleet and
/// spec, tagging their instances the same way. Returns go through TerminateInstances, or
/// TerminateInstanceInAutoScalingGroup for a group's members; observation, whatever the API,
/// through DescribeInstances filtered by `orbrec:managed-by`.
public final class AWSProvider: Provider {
    public let name: String
    public let client: EC2Client
    /// How many calls one order makes at once.
    public let maxInFlight: Int
    /// Called after each launch AWS confirmed: the crash tests' failpoint.
    let afterLaunch: @Sendable () -> Void
    /// DescribeInstances' MaxResults: AWS's largest page by default.
    let pageSize: Int
    /// The Auto Scaling service, with the EC2 client's credentials and region.
    public let autoScaling: AutoScalingClient
    /// How long a Spot Fleet request or an Auto Scaling group gets to launch an order's instances.
    let fulfilmentTimeout: Duration
    /// The actions whose Spot Fleet requests this process is waiting on: any other open request
    /// of its state was left by a process that died.
    let spotFleetsInFlight = Mutex<Set<String>>([])

    /// `autoScalingEndpoint` defaults to the EC2 endpoint: right for moto and other stand-ins,
    /// which serve every service on one port; `make` gives AWS's own.
    public init(name: String, client: EC2Client, maxInFlight: Int = ProviderSpec.defaultMaxInFlight,
                pageSize: Int = 1000, autoScalingEndpoint: URL? = nil, fulfilmentTimeout: Duration = .seconds(300),
                afterLaunch: @escaping @Sendable () -> Void = {}) {
        self.pageSize = min(1000, max(5, pageSize))
        self.name = name
        self.client = client
        self.maxInFlight = max(1, maxInFlight)
        self.afterLaunch = afterLaunch
        autoScaling = AutoScalingClient(endpoint: autoScalingEndpoint ?? client.endpoint, sharing: client)
        self.fulfilmentTimeout = fulfilmentTimeout
    }

    public func machines(ownedBy owner: String) async throws -> [ObservedMachine] {
        var instances: [EC2Instance] = []
        var token: String?
        repeat {
            var parameters = [EC2Request.Parameter("Filter.1.Name", "tag:\(AWSTags.managedBy)"), EC2Request.Parameter("Filter.1.Value.1", owner),
                              EC2Request.Parameter("Filter.2.Name", "tag:\(AWSTags.provider)"), EC2Request.Parameter("Filter.2.Value.1", name),
                              EC2Request.Parameter("MaxResults", String(pageSize))]
            if let token { parameters.append(EC2Request.Parameter("NextToken", token)) }
            let tree: XMLTree
            do {
                tree = try await client.send(EC2Request(action: "DescribeInstances", parameters: parameters))
            } catch {
                throw error.providerError
            }
            let page = EC2Instance.describePage(tree)
            instances += page.instances
            token = page.nextToken
        } while token != nil
        return Self.machines(from: instances, provider: name)
    }

    /// Instances as machines. An instance without a machine tag (an EC2Fleet launch whose
    /// tagging was interrupted) is named after its instance id; a second live instance with
    /// the same machine tag (a launch repeated where ClientToken is not honoured) keeps its
    /// own name too. Both are then unrecorded machines, adopted or returned, never lost track of.
    static func machines(from instances: [EC2Instance], provider: String) -> [ObservedMachine] {
        var machines: [ObservedMachine] = []
        var taken: Set<String> = []
        let ordered = instances.sorted { ($0.machineState.isLive ? 0 : 1, $0.instanceID) < ($1.machineState.isLive ? 0 : 1, $1.instanceID) }
        for instance in ordered {
            guard let fleet = instance.tags[AWSTags.fleet] else { continue }
            var id = instance.tags[AWSTags.machine] ?? "\(fleet)-\(instance.instanceID)"
            if taken.contains(id) {
                guard instance.machineState.isLive else { continue }
                id = "\(id)-\(instance.instanceID)"
            }
            taken.insert(id)
            machines.append(ObservedMachine(
                id: id, fleet: fleet, template: instance.tags[AWSTags.template] ?? "",
                templateHash: instance.tags[AWSTags.templateHash] ?? "", provider: provider, providerID: instance.instanceID,
                actionID: instance.tags[AWSTags.action] ?? "", state: instance.machineState, createdAt: instance.launchedAt,
                message: "\(instance.instanceID) \(instance.instanceType) \(instance.state)"
                    + (instance.machineState.isLive ? "" : instance.stateReasonMessage.map { " (\($0))" } ?? ""),
                addresses: instance.addresses.isEmpty ? nil : instance.addresses, reclaimedByProvider: instance.reclaimedByProvider))
        }
        return machines.sorted { $0.id < $1.id }
    }

    public func provision(_ order: ProvisionOrder) async -> [MachineOutcome] {
        guard let settings = order.template.settings.aws else {
            let error = ProviderError(code: "InvalidTemplate",
                                      message: "template \(order.template.name) is a \(order.template.settings.type.rawValue) template, not an aws one")
            return order.machineIDs.map { MachineOutcome(machineID: $0, error: error) }
        }
        switch settings.api {
        case .runInstances: return await provisionOneByOne(order, settings)
        case .ec2Fleet: return await provisionThroughFleet(order, settings)
        case .spotFleet: return await provisionThroughSpotFleet(order, settings)
        case .asg: return await provisionThroughGroup(order, settings)
        }
    }

    private func provisionOneByOne(_ order: ProvisionOrder, _ settings: AWSTemplateSettings) async -> [MachineOutcome] {
        await forEachBounded(order.machineIDs) { machine in
            do throws(EC2Error) {
                let tree = try await self.client.send(self.runInstances(order, settings, machine: machine))
                guard let instance = EC2Instance.launched(tree).first else {
                    return MachineOutcome(machineID: machine, error: ProviderError(code: "NoInstance", message: "RunInstances answered without an instance"))
                }
                self.afterLaunch()
                return MachineOutcome(machineID: machine, providerID: instance.instanceID)
            } catch {
                return MachineOutcome(machineID: machine, error: error.providerError)
            }
        }
    }

    public func returnMachines(_ order: ReturnOrder) async -> [MachineOutcome] {
        // Members of an Auto Scaling group leave through it, or it would launch their replacements.
        let grouped = await returnFromGroups(order, order.machines.filter { ($0.providerID ?? "").hasPrefix("i-") })
        let held = grouped.rest
        var outcomes = grouped.outcomes
        outcomes += order.machines.filter { !($0.providerID ?? "").hasPrefix("i-") }
            .map { MachineOutcome(machineID: $0.id, providerID: $0.providerID) }
        // TerminateInstances takes up to 1,000 ids; one unknown id fails the whole call, so a
        // batch that fails that way is retried one by one.
        let batches = stride(from: 0, to: held.count, by: 500).map { Array(held[$0..<min($0 + 500, held.count)]) }
        for batch in batches {
            do {
                _ = try await client.send(EC2Request(action: "TerminateInstances",
                                                     parameters: EC2Request.list("InstanceId", batch.compactMap(\.providerID))))
                outcomes += batch.map { MachineOutcome(machineID: $0.id, providerID: $0.providerID) }
            } catch where error.code == "InvalidInstanceID.NotFound" {
                outcomes += await forEachBounded(batch) { machine in
                    do throws(EC2Error) {
                        _ = try await self.client.send(EC2Request(action: "TerminateInstances", parameters: EC2Request.list("InstanceId", [machine.providerID ?? ""])))
                        return MachineOutcome(machineID: machine.id, providerID: machine.providerID)
                    } catch where error.code == "InvalidInstanceID.NotFound" {
                        return MachineOutcome(machineID: machine.id, providerID: machine.providerID)
                    } catch {
                        return MachineOutcome(machineID: machine.id, providerID: machine.providerID, error: error.providerError)
                    }
                }
            } catch {
                outcomes += batch.map { MachineOutcome(machineID: $0.id, providerID: $0.providerID, error: error.providerError) }
            }
        }
        return outcomes
    }

    /// The tags every instance of `order` carries; `machine` is added when it is known at launch.
    func tags(_ order: ProvisionOrder, machine: String?) -> [(String, String)] {
        var tags: [(String, String)] = [
            (AWSTags.managedBy, order.owner), (AWSTags.provider, name), (AWSTags.fleet, order.fleet),
            (AWSTags.action, order.actionID), (AWSTags.template, order.template.name), (AWSTags.templateHash, order.templateHash),
        ]
        if let machine { tags.insert((AWSTags.machine, machine), at: 3) }
        return tags + (order.template.settings.aws?.tags ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// One instance of `order`'s template, tagged with its identity. The ClientToken makes a
    /// repeated call idempotent on AWS (moto ignores it; recovery relies on the tags).
    func runInstances(_ order: ProvisionOrder, _ template: AWSTemplateSettings, machine: String) -> EC2Request {
        var parameters: [EC2Request.Parameter] = [
            .init("ImageId", template.imageId), .init("MinCount", "1"), .init("MaxCount", "1"),
            .init("ClientToken", Self.clientToken(action: order.actionID, machine: machine)),
            .init("InstanceType", template.instanceType ?? template.instanceTypes?.sorted { $0.key < $1.key }.first?.key ?? ""),
            .init("TagSpecification.1.ResourceType", "instance"),
        ]
        if let subnets = template.subnetIds, !subnets.isEmpty {
            // Spread machines over the subnets, stably: the same machine always asks the same one.
            parameters.append(.init("SubnetId", subnets[Int(StableHasher.bucket(machine, count: subnets.count))]))
        }
        parameters += EC2Request.list("SecurityGroupId", template.securityGroupIds ?? [])
        if let key = template.keyName { parameters.append(.init("KeyName", key)) }
        if let userData = template.userData { parameters.append(.init("UserData", Data(userData.utf8).base64EncodedString())) }
        if template.priceType == .spot {
            parameters.append(.init("InstanceMarketOptions.MarketType", "spot"))
            if let price = template.maxSpotPrice { parameters.append(.init("InstanceMarketOptions.SpotOptions.MaxPrice", price)) }
        }
        parameters += EC2Request.tags("TagSpecification.1.Tag", tags(order, machine: machine))
        return EC2Request(action: "RunInstances", parameters: parameters)
    }

    /// At most 64 ASCII characters, unique per action and machine.
    static func clientToken(action: String, machine: String) -> String {
        let token = "\(action)/\(machine)"
        return token.count <= 64 ? token : String(token.prefix(47)) + "-" + StableHasher.digest(token).prefix(16)
    }

    /// Runs `body` for every element, at most `maxInFlight` at once; answers in input order.
    func forEachBounded<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ body: @escaping @Sendable (Element) async -> Result
    ) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: elements.count)
            var next = 0
            func start() {
                let index = next
                let element = elements[index]
                group.addTask { (index, await body(element)) }
                next += 1
            }
            while next < min(maxInFlight, elements.count) { start() }
            for await (index, result) in group {
                results[index] = result
                if next < elements.count { start() }
            }
            return results.compactMap { $0 }
        }
    }
}
