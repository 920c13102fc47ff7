internal import OrbrecCore
internal import Foundation

extension AWSProvider {
    /// `providerApi: EC2Fleet`: one instant fleet for the whole order, from a launch template
    /// named after the template's hash, over every instance type (heavier weight first) and
    /// subnet. The instances are born with the order's tags; each is then tagged with the
    /// machine it became. Machines the fleet could not fill fail with the fleet's own error,
    /// so the request is partial and the remainder is planned again.
    func provisionThroughFleet(_ order: ProvisionOrder, _ settings: AWSTemplateSettings) async -> [MachineOutcome] {
        let failAll = { (error: ProviderError) in order.machineIDs.map { MachineOutcome(machineID: $0, error: error) } }
        let launchTemplate: String
        do throws(EC2Error) {
            launchTemplate = try await ensureLaunchTemplate(order, settings)
        } catch {
            return failAll(error.providerError)
        }
        let tree: XMLTree
        do throws(EC2Error) {
            tree = try await client.send(createFleet(order, settings, launchTemplate: launchTemplate))
        } catch {
            return failAll(error.providerError)
        }
        let instanceIDs = tree.elements("fleetInstanceSet/item/instanceIds/item").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }.sorted()
        let fleetError = tree.elements("errorSet/item").first.map {
            ProviderError(code: $0.value("errorCode") ?? "FleetError", message: $0.value("errorMessage") ?? "the fleet launched fewer instances than asked",
                          retryable: true)
        } ?? ProviderError(code: "InsufficientInstanceCapacity", message: "the fleet launched \(instanceIDs.count) of \(order.machineIDs.count) instances",
                           retryable: true)
        let pairs = Array(zip(order.machineIDs, instanceIDs))
        var outcomes = await forEachBounded(pairs) { machine, instance in
            do throws(EC2Error) {
                _ = try await self.client.send(EC2Request(action: "CreateTags", parameters: [.init("ResourceId.1", instance)]
                    + EC2Request.tags("Tag", [(AWSTags.machine, machine)])))
                return MachineOutcome(machineID: machine, providerID: instance)
            } catch {
                // The instance runs without its machine tag: it is found by its other tags as an
                // unrecorded machine and adopted; this machine is not counted twice.
                return MachineOutcome(machineID: machine, error: ProviderError(
                    code: error.code, message: "launched \(instance) but could not tag it: \(error.message)", retryable: error.isRetryable))
            }
        }
        outcomes += order.machineIDs.dropFirst(pairs.count).map { MachineOutcome(machineID: $0, error: fleetError) }
        return outcomes
    }

    /// The launch template for `order`'s template spec, created once per spec hash.
    func ensureLaunchTemplate(_ order: ProvisionOrder, _ template: AWSTemplateSettings) async throws(EC2Error) -> String {
        let name = "orbrec-\(order.template.name)-\(order.templateHash.prefix(12))"
        var parameters: [EC2Request.Parameter] = [
            .init("LaunchTemplateName", name), .init("LaunchTemplateData.ImageId", template.imageId),
            .init("ClientToken", Self.clientToken(action: "lt", machine: name)),
        ]
        if let key = template.keyName { parameters.append(.init("LaunchTemplateData.KeyName", key)) }
        if let userData = template.userData { parameters.append(.init("LaunchTemplateData.UserData", Data(userData.utf8).base64EncodedString())) }
        parameters += EC2Request.list("LaunchTemplateData.SecurityGroupId", template.securityGroupIds ?? [])
        do {
            _ = try await client.send(EC2Request(action: "CreateLaunchTemplate", parameters: parameters))
        } catch where error.code == "InvalidLaunchTemplateName.AlreadyExistsException" {
            // Made by an earlier order of the same spec: the name carries the spec's hash.
        }
        return name
    }

    func createFleet(_ order: ProvisionOrder, _ template: AWSTemplateSettings, launchTemplate: String) -> EC2Request {
        let types: [String] = template.instanceTypes.map { weights in
            weights.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        } ?? [template.instanceType ?? ""]
        let subnets: [String?] = (template.subnetIds ?? []).isEmpty ? [nil] : (template.subnetIds ?? []).map { $0 }
        var parameters: [EC2Request.Parameter] = [
            .init("Type", "instant"),
            .init("ClientToken", Self.clientToken(action: order.actionID, machine: "fleet")),
            .init("LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName", launchTemplate),
            .init("LaunchTemplateConfigs.1.LaunchTemplateSpecification.Version", "$Latest"),
            .init("TargetCapacitySpecification.TotalTargetCapacity", String(order.machineIDs.count)),
            .init("TargetCapacitySpecification.DefaultTargetCapacityType", template.priceType == .spot ? "spot" : "on-demand"),
        ]
        if template.priceType == .spot {
            parameters.append(.init("SpotOptions.AllocationStrategy", template.allocationStrategy.map(Self.fleetAllocationStrategy)
                ?? "capacity-optimized-prioritized"))
        } else {
            parameters.append(.init("OnDemandOptions.AllocationStrategy", "prioritized"))
        }
        var index = 1
        for (rank, type) in types.enumerated() {
            for subnet in subnets {
                let prefix = "LaunchTemplateConfigs.1.Overrides.\(index)"
                parameters.append(.init("\(prefix).InstanceType", type))
                parameters.append(.init("\(prefix).Priority", String(rank + 1)))
                if let subnet { parameters.append(.init("\(prefix).SubnetId", subnet)) }
                if template.priceType == .spot, let price = template.maxSpotPrice { parameters.append(.init("\(prefix).MaxPrice", price)) }
                index += 1
            }
        }
        parameters.append(.init("TagSpecification.1.ResourceType", "instance"))
        parameters += EC2Request.tags("TagSpecification.1.Tag", tags(order, machine: nil))
        return EC2Request(action: "CreateFleet", parameters: parameters)
    }

    /// EC2 Fleet spells Spot Fleet's strategies with hyphens.
    static func fleetAllocationStrategy(_ strategy: AWSTemplateSettings.AllocationStrategy) -> String {
        switch strategy {
        case .lowestPrice: "lowest-price"
        case .diversified: "diversified"
        case .capacityOptimized: "capacity-optimized"
        case .priceCapacityOptimized: "price-capacity-optimized"
        }
    }
}
