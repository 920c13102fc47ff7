internal import OrbrecCore
internal import Foundation
internal import Synchronization

extension AWSProvider {
    /// `providerApi: SpotFleet`: one one-time Spot Fleet request for the whole order, over
    /// every instance type (heavier weight first) and subnet. Its instances are born with the
    /// order's tags (the launch specifications carry them), so they are this state's from
    /// their first second; once the request has launched what it will, it is cancelled
    /// without its instances, which each get the machine they became as a tag. Machines it
    /// did not fill fail with its reason, so the request is partial and the rest is planned
    /// again.
    ///
    /// Killed between RequestSpotFleet and the tagging, the instances are still found by their
    /// tags, without a machine tag: unrecorded machines, adopted by the next plan, never
    /// lost. The request left open is cancelled by the next SpotFleet order of this state,
    /// and lapses by itself at its `ValidUntil` in any case.
    func provisionThroughSpotFleet(_ order: ProvisionOrder, _ settings: AWSTemplateSettings) async -> [MachineOutcome] {
        let failAll = { (error: ProviderError) in order.machineIDs.map { MachineOutcome(machineID: $0, error: error) } }
        guard let role = settings.fleetRole else {
            return failAll(ProviderError(code: "InvalidTemplate", message: "template \(order.template.name) has providerApi SpotFleet but no fleetRole"))
        }
        await cancelAbandonedSpotFleets(owner: order.owner)
        spotFleetsInFlight.withLock { _ = $0.insert(order.actionID) }
        defer { spotFleetsInFlight.withLock { _ = $0.remove(order.actionID) } }
        let requestID: String
        do throws(EC2Error) {
            requestID = try await client.requestSpotFleet(spotFleetConfig(order, settings, role: role))
        } catch {
            return failAll(error.providerError)
        }
        afterLaunch()
        var (instanceIDs, shortfall) = await awaitSpotFleet(requestID, count: order.machineIDs.count)
        // Cancelled before adopting: nothing more launches for this request after this.
        do throws(EC2Error) {
            let refused = try await client.cancelSpotFleetRequests([requestID], terminateInstances: false)
            if let reason = refused[requestID] {
                shortfall = shortfall ?? ProviderError(code: "SpotFleetNotCancelled", message: "\(requestID) stays open: \(reason)", retryable: true)
            }
            instanceIDs = try await client.spotFleetInstances(requestID)
        } catch {
            // Its instances are tagged as this state's; the next SpotFleet order cancels it.
        }
        return await tagLaunched(order, instanceIDs: instanceIDs.sorted(), shortfall: shortfall ?? ProviderError(
            code: "InsufficientInstanceCapacity", message: "Spot Fleet request \(requestID) launched \(instanceIDs.count) of \(order.machineIDs.count) instances",
            retryable: true))
    }

    /// Polls the request until it has launched `count` instances, has stopped trying, or the
    /// fulfilment timeout is over: the instance ids it has, and why they are fewer.
    func awaitSpotFleet(_ requestID: String, count: Int) async -> (instanceIDs: [String], shortfall: ProviderError?) {
        let deadline = ContinuousClock.now + fulfilmentTimeout
        var delay = Duration.milliseconds(500)
        var instanceIDs: [String] = []
        while true {
            do throws(EC2Error) {
                instanceIDs = try await client.spotFleetInstances(requestID)
                if instanceIDs.count >= count { return (instanceIDs, nil) }
                if let request = try await client.spotFleetRequests([requestID]).first {
                    if request.activityStatus == "error" || !request.isOpen {
                        return (instanceIDs, ProviderError(code: "SpotFleetError", message: "Spot Fleet request \(requestID) is \(request.state)"
                            + (request.activityStatus.map { " (\($0))" } ?? "") + " with \(instanceIDs.count) of \(count) instances; "
                            + "DescribeSpotFleetRequestHistory tells why", retryable: true))
                    }
                }
            } catch {
                if !error.isRetryable { return (instanceIDs, error.providerError) }
            }
            guard ContinuousClock.now + delay < deadline else {
                return (instanceIDs, ProviderError(code: "InsufficientInstanceCapacity", message: "Spot Fleet request \(requestID) launched "
                    + "\(instanceIDs.count) of \(count) instances in \(fulfilmentTimeout)", retryable: true))
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    /// Tags each launched instance with the machine it becomes, in order; machines left over
    /// fail with `shortfall`. An instance more than machines keeps only the order's tags and
    /// is adopted or returned by the next plan.
    func tagLaunched(_ order: ProvisionOrder, instanceIDs: [String], shortfall: ProviderError) async -> [MachineOutcome] {
        let pairs = Array(zip(order.machineIDs, instanceIDs))
        var outcomes = await forEachBounded(pairs) { machine, instance in
            do throws(EC2Error) {
                try await self.client.createTags([instance], [(AWSTags.machine, machine), (AWSTags.action, order.actionID)])
                return MachineOutcome(machineID: machine, providerID: instance)
            } catch {
                // The instance runs without its machine tag: it is found by its other tags as an
                // unrecorded machine and adopted; this machine is not counted twice.
                return MachineOutcome(machineID: machine, error: ProviderError(
                    code: error.code, message: "launched \(instance) but could not tag it: \(error.message)", retryable: error.isRetryable))
            }
        }
        outcomes += order.machineIDs.dropFirst(pairs.count).map { MachineOutcome(machineID: $0, error: shortfall) }
        return outcomes
    }

    /// Cancels, keeping their instances, the open requests of this state that no order of this
    /// process is waiting on: those a killed process left behind. (One process holds a
    /// state's lock at a time.)
    func cancelAbandonedSpotFleets(owner: String) async {
        guard let requests = try? await client.spotFleetRequests() else { return }
        let waitedOn = spotFleetsInFlight.withLock { $0 }
        let abandoned = requests.filter {
            $0.isOpen && $0.tags[AWSTags.managedBy] == owner && $0.tags[AWSTags.provider] == name
                && !waitedOn.contains($0.tags[AWSTags.action] ?? "")
        }
        _ = try? await client.cancelSpotFleetRequests(abandoned.map(\.id), terminateInstances: false)
    }

    func spotFleetConfig(_ order: ProvisionOrder, _ settings: AWSTemplateSettings, role: String) -> SpotFleetRequestConfig {
        let tags = tags(order, machine: nil)
        let subnets: [String?] = (settings.subnetIds ?? []).isEmpty ? [nil] : (settings.subnetIds ?? []).map { $0 }
        var specifications: [SpotFleetRequestConfig.LaunchSpecification] = []
        for type in Self.instanceTypes(settings) {
            for subnet in subnets {
                specifications.append(.init(imageID: settings.imageId, instanceType: type, subnetID: subnet,
                                            securityGroupIDs: settings.securityGroupIds ?? [], keyName: settings.keyName,
                                            userData: settings.userData, tags: tags))
            }
        }
        // Valid a minute past the wait: a request whose requester died lapses by itself.
        let now = Date(timeIntervalSince1970: Double(client.clock.now().millisecondsSinceEpoch) / 1000)
        let validUntil = now.addingTimeInterval(Double(fulfilmentTimeout.components.seconds) + 60)
        return SpotFleetRequestConfig(clientToken: Self.clientToken(action: order.actionID, machine: "spot-fleet"), fleetRole: role,
                                      targetCapacity: order.machineIDs.count, allocationStrategy: settings.allocationStrategy?.rawValue,
                                      spotPrice: settings.maxSpotPrice, validUntil: validUntil, launchSpecifications: specifications,
                                      requestTags: tags)
    }

    /// The template's instance types, heavier weight first (then by name).
    static func instanceTypes(_ settings: AWSTemplateSettings) -> [String] {
        settings.instanceTypes.map { weights in weights.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key) }
            ?? [settings.instanceType ?? ""]
    }
}
