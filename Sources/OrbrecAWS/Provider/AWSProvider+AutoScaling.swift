internal import OrbrecCore
internal import Foundation

extension AWSProvider {
    /// `providerApi: ASG`: one Auto Scaling group per owner, fleet and template spec, made on
    /// first use from a launch template, empty (MinSize 0), its new instances protected from
    /// scale-in and its own rebalancing and health replacement suspended: orbrec decides which
    /// instances live. The group's tags (ownership, and the order's action, set just before)
    /// are propagated, so every instance is born this state's. N machines raise the desired
    /// capacity to the live members plus N; the members that were not there before become the
    /// machines, in order, each tagged with its id.
    ///
    /// Killed between SetDesiredCapacity and the tagging, the new instances carry every tag
    /// but the machine's: unrecorded machines the next plan adopts, never lost, never doubled.
    func provisionThroughGroup(_ order: ProvisionOrder, _ settings: AWSTemplateSettings) async -> [MachineOutcome] {
        let failAll = { (error: ProviderError) in order.machineIDs.map { MachineOutcome(machineID: $0, error: error) } }
        let name = Self.groupName(owner: order.owner, fleet: order.fleet, templateHash: order.templateHash)
        let before: Set<String>
        do throws(EC2Error) {
            let group = try await ensureGroup(name, order, settings)
            try await autoScaling.tagGroup(name, [(AWSTags.action, order.actionID)])
            before = group.liveInstanceIDs
            let desired = before.count + order.machineIDs.count
            if desired > group.maxSize { try await autoScaling.setMaxSize(group: name, max(desired, group.maxSize * 2)) }
            try await autoScaling.setDesiredCapacity(group: name, desired)
        } catch {
            return failAll(error.providerError)
        }
        afterLaunch()
        let (fresh, shortfall) = await awaitGroup(name, before: before, count: order.machineIDs.count)
        if fresh.count < order.machineIDs.count {
            // Stops the group launching for machines that have failed (protected members stay).
            try? await autoScaling.setDesiredCapacity(group: name, before.count + fresh.count)
        }
        return await tagLaunched(order, instanceIDs: fresh.sorted(), shortfall: shortfall ?? ProviderError(
            code: "InsufficientInstanceCapacity", message: "group \(name) launched \(fresh.count) of \(order.machineIDs.count) instances",
            retryable: true))
    }

    /// `orbrec-<owner>-<fleet>-<first 8 of the spec hash>`: found again by name after a crash,
    /// distinct per state (the owner is shortened to a digest when long).
    static func groupName(owner: String, fleet: String, templateHash: String) -> String {
        let ownerPart = owner.count <= 24 ? owner : String(StableHasher.digest(owner))
        return "orbrec-\(ownerPart)-\(fleet)-\(templateHash.prefix(8))"
    }

    /// The group, made with its launch template if it does not exist yet.
    func ensureGroup(_ name: String, _ order: ProvisionOrder, _ settings: AWSTemplateSettings) async throws(EC2Error) -> AutoScalingGroup {
        if let group = try await autoScaling.group(named: name) {
            guard group.status == nil else {
                throw EC2Error(status: 409, code: "GroupBeingDeleted", message: "group \(name) is being deleted (\(group.status ?? "")); "
                               + "it is made again once it is gone")
            }
            return group
        }
        guard let subnets = settings.subnetIds, !subnets.isEmpty else {
            throw EC2Error(status: 400, code: "InvalidTemplate", message: "template \(order.template.name) has providerApi ASG but no subnetIds")
        }
        let types = Self.instanceTypes(settings)
        let launchTemplate = "orbrec-\(order.template.name)-\(order.templateHash.prefix(12))-asg"
        var data: [EC2Request.Parameter] = [.init("LaunchTemplateData.ImageId", settings.imageId),
                                            .init("LaunchTemplateData.InstanceType", types.first ?? "")]
        if let key = settings.keyName { data.append(.init("LaunchTemplateData.KeyName", key)) }
        if let userData = settings.userData { data.append(.init("LaunchTemplateData.UserData", Data(userData.utf8).base64EncodedString())) }
        data += EC2Request.list("LaunchTemplateData.SecurityGroupId", settings.securityGroupIds ?? [])
        try await client.ensureLaunchTemplate(launchTemplate, data: data)
        let strategy = Self.groupAllocationStrategy(settings.allocationStrategy)
        let request = AutoScalingGroupRequest(
            name: name, launchTemplateName: launchTemplate, instanceTypes: types, spot: settings.isSpot,
            spotAllocationStrategy: strategy, spotInstancePools: settings.allocationStrategy == .diversified ? types.count : nil,
            spotMaxPrice: settings.maxSpotPrice, subnetIDs: subnets, maxSize: max(order.machineIDs.count, order.template.maxMachines ?? 0, 10),
            tags: tags(order, machine: nil).filter { $0.0 != AWSTags.action })
        do {
            try await autoScaling.createGroup(request)
        } catch where error.code == "AlreadyExists" {
            // Made meanwhile by another order of the same fleet and spec.
        }
        try await autoScaling.suspendProcesses(group: name, ["AZRebalance", "ReplaceUnhealthy"])
        guard let group = try await autoScaling.group(named: name) else {
            throw EC2Error(status: 500, code: "GroupNotFound", message: "group \(name) was created but is not described")
        }
        return group
    }

    /// Spot Fleet's names for Auto Scaling's: diversified is lowest-price over as many pools
    /// as there are instance types.
    static func groupAllocationStrategy(_ strategy: AWSTemplateSettings.AllocationStrategy?) -> String? {
        switch strategy {
        case nil: nil
        case .lowestPrice?, .diversified?: "lowest-price"
        case .capacityOptimized?: "capacity-optimized"
        case .priceCapacityOptimized?: "price-capacity-optimized"
        }
    }

    /// Polls the group until `count` members that were not in `before` are live, or the
    /// fulfilment timeout is over.
    func awaitGroup(_ name: String, before: Set<String>, count: Int) async -> (instanceIDs: Set<String>, shortfall: ProviderError?) {
        let deadline = ContinuousClock.now + fulfilmentTimeout
        var delay = Duration.milliseconds(500)
        var fresh: Set<String> = []
        while true {
            do throws(EC2Error) {
                guard let group = try await autoScaling.group(named: name) else {
                    return (fresh, ProviderError(code: "GroupNotFound", message: "group \(name) went away while it launched", retryable: true))
                }
                fresh = group.liveInstanceIDs.subtracting(before)
                if fresh.count >= count { return (Set(fresh.sorted().prefix(count)), nil) }
            } catch {
                if !error.isRetryable { return (fresh, error.providerError) }
            }
            guard ContinuousClock.now + delay < deadline else {
                return (fresh, ProviderError(code: "InsufficientInstanceCapacity", message: "group \(name) launched \(fresh.count) of "
                    + "\(count) instances in \(fulfilmentTimeout); DescribeScalingActivities tells why", retryable: true))
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    /// Returns the machines that are members of an Auto Scaling group through the group, by
    /// instance id, decrementing its desired capacity so it launches no replacement; answers
    /// their outcomes and the machines that are not members (for TerminateInstances). A group
    /// left empty is deleted.
    func returnFromGroups(_ order: ReturnOrder, _ machines: [ReturnOrder.Machine]) async -> (outcomes: [MachineOutcome], rest: [ReturnOrder.Machine]) {
        guard !machines.isEmpty else { return ([], []) }
        var groupOf: [String: String] = [:]
        do throws(EC2Error) {
            for batch in stride(from: 0, to: machines.count, by: 200).map({ Array(machines[$0..<min($0 + 200, machines.count)]) }) {
                let members = try await client.instances(filters: [
                    ("instance-id", batch.compactMap(\.providerID)), ("tag-key", [Self.groupTag]),
                    ("instance-state-name", ["pending", "running", "stopping", "stopped"]),
                ])
                for instance in members { groupOf[instance.instanceID] = instance.tags[Self.groupTag] }
            }
        } catch {
            return (machines.map { MachineOutcome(machineID: $0.id, providerID: $0.providerID, error: error.providerError) }, [])
        }
        let members = machines.filter { groupOf[$0.providerID ?? ""] != nil }
        guard !members.isEmpty else { return ([], machines) }
        let results = await forEachBounded(members) { machine -> (MachineOutcome, Bool) in
            do throws(EC2Error) {
                try await self.autoScaling.terminateInstance(machine.providerID ?? "", decrement: true)
                return (MachineOutcome(machineID: machine.id, providerID: machine.providerID), false)
            } catch where error.code == "ValidationError" {
                // No longer a member (detached, or gone meanwhile): an ordinary instance.
                return (MachineOutcome(machineID: machine.id, providerID: machine.providerID), true)
            } catch {
                return (MachineOutcome(machineID: machine.id, providerID: machine.providerID, error: error.providerError), false)
            }
        }
        let detached = zip(members, results).filter { $0.1.1 }.map(\.0)
        for group in Set(members.compactMap { groupOf[$0.providerID ?? ""] }).sorted() {
            await deleteIfEmpty(group, owner: order.owner)
        }
        return (results.filter { !$0.1 }.map(\.0), machines.filter { groupOf[$0.providerID ?? ""] == nil } + detached)
    }

    /// Deletes a group of this state that has nothing left to run: made again by the next
    /// order of its fleet and spec.
    func deleteIfEmpty(_ name: String, owner: String) async {
        guard let group = try? await autoScaling.group(named: name), group.tags[AWSTags.managedBy] == owner,
              group.desiredCapacity == 0, group.liveInstanceIDs.isEmpty, group.status == nil else { return }
        try? await autoScaling.deleteGroup(name, force: true)
    }

    /// The tag AWS gives each instance an Auto Scaling group launched.
    static let groupTag = "aws:autoscaling:groupName"
}
