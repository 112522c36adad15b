import AWSProtocol
import Foundation
import KeywayCore

extension EC2Service {
    /// RunInstances: `ImageId`, `MinCount`, `MaxCount`, `InstanceType`, `KeyName`, `ClientToken`,
    /// `TagSpecification.N` (ResourceType `instance`), `DryRun`. New instances are reported `pending`.
    func runInstances(_ parameters: QueryParameters, context: Context) async throws -> String {
        let imageID = try parameters.required("ImageId")
        guard let minCount = try parameters.int("MinCount") else { throw AWSError.missingParameter("MinCount") }
        guard let maxCount = try parameters.int("MaxCount") else { throw AWSError.missingParameter("MaxCount") }
        let tags = try parameters.tagSpecifications(for: "instance")
        try Self.checkDryRun(parameters)
        let launched = try await self.instances.run(
            in: context.scope,
            imageID: imageID,
            minCount: minCount,
            maxCount: maxCount,
            instanceType: parameters["InstanceType"] ?? "m1.small",
            keyName: parameters["KeyName"],
            clientToken: parameters["ClientToken"],
            tags: tags
        )
        return Self.response("RunInstances", context: context) { writer in
            writer.element("reservationId", launched.first?.reservationID ?? "")
            writer.element("ownerId", context.scope.account.rawValue)
            writer.emptyElement("groupSet")
            writer.element("instancesSet") { writer in
                for instance in launched {
                    writer.element("item") { writer in Self.write(instance, state: .pending, into: &writer) }
                }
            }
        }
    }

    /// DescribeInstances: `InstanceId.N`, `Filter.N` (`instance-id`, `key-name`, `instance-state-name`, `platform`,
    /// `image-id`, `private-ip-address`, `reservation-id`, `tag:<key>`), grouped by reservation.
    func describeInstances(_ parameters: QueryParameters, context: Context) async throws -> String {
        let ids = parameters.list("InstanceId")
        let filters = try parameters.filters()
        let maxResults = try parameters.int("MaxResults")
        let nextToken = parameters["NextToken"]
        try Self.checkDryRun(parameters)
        let (found, next) = try await self.instances.describe(
            in: context.scope,
            ids: ids,
            filters: filters,
            maxResults: maxResults,
            nextToken: nextToken
        )
        var reservations: [(String, [Instance])] = []
        for instance in found {
            if let index = reservations.firstIndex(where: { $0.0 == instance.reservationID }) {
                reservations[index].1.append(instance)
            } else {
                reservations.append((instance.reservationID, [instance]))
            }
        }
        return Self.response("DescribeInstances", context: context) { writer in
            defer { writer.element("nextToken", ifPresent: next) }
            guard !reservations.isEmpty else {
                writer.emptyElement("reservationSet")
                return
            }
            writer.element("reservationSet") { writer in
                for (reservation, members) in reservations {
                    writer.element("item") { writer in
                        writer.element("reservationId", reservation)
                        writer.element("ownerId", context.scope.account.rawValue)
                        writer.emptyElement("groupSet")
                        writer.element("instancesSet") { writer in
                            for instance in members {
                                writer.element("item") { writer in
                                    Self.write(instance, state: instance.state, into: &writer)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// StartInstances, StopInstances, TerminateInstances: `InstanceId.N`, `DryRun`; answers the previous and the
    /// current state of each.
    func changeInstances(_ parameters: QueryParameters, context: Context, action: String) async throws -> String {
        let ids = parameters.list("InstanceId")
        try Self.checkDryRun(parameters)
        let transitions: [InstanceService.Transition]
        switch action {
        case "StartInstances": transitions = try await self.instances.start(in: context.scope, ids: ids)
        case "StopInstances": transitions = try await self.instances.stop(in: context.scope, ids: ids)
        default: transitions = try await self.instances.terminate(in: context.scope, ids: ids)
        }
        return Self.response(action, context: context) { writer in
            writer.element("instancesSet") { writer in
                for transition in transitions {
                    writer.element("item") { writer in
                        writer.element("instanceId", transition.id.rawValue)
                        Self.writeState("currentState", transition.current, into: &writer)
                        Self.writeState("previousState", transition.previous, into: &writer)
                    }
                }
            }
        }
    }

    /// GetPasswordData: the Windows administrator password encrypted to the launch key, base64; "" for Linux.
    func getPasswordData(_ parameters: QueryParameters, context: Context) async throws -> String {
        let id = try parameters.required("InstanceId")
        try Self.checkDryRun(parameters)
        let instance = try await self.instances.passwordData(in: context.scope, id: id)
        return Self.response("GetPasswordData", context: context) { writer in
            writer.element("instanceId", instance.id.rawValue)
            writer.element("timestamp", AWSTimestamp.iso8601Milliseconds(instance.launchTime))
            writer.element("passwordData", instance.passwordData ?? "")
        }
    }

    /// DescribeImages: the built-in catalogue; `ImageId.N` and filters `image-id`, `name`, `platform`.
    func describeImages(_ parameters: QueryParameters, context: Context) throws -> String {
        let ids = parameters.list("ImageId")
        let filters = try parameters.filters()
        for filter in filters {
            try filter.validate(supported: ["image-id", "name", "platform", "state", "owner-alias", "is-public"])
        }
        try Self.checkDryRun(parameters)
        if let missing = ids.first(where: { id in !Image.catalogue.contains { $0.id == id } }) {
            throw AWSError(ec2: KeywayError(.imageNotFound, subject: missing))
        }
        let images = Image.catalogue.filter { image in
            (ids.isEmpty || ids.contains(image.id))
                && filters.allSatisfy { filter in
                    switch filter.name {
                    case "image-id": filter.matches(image.id)
                    case "name": filter.matches(image.name)
                    case "platform": image.platform == .windows && filter.matches("windows")
                    case "state": filter.matches("available")
                    case "owner-alias": filter.matches("amazon")
                    case "is-public": filter.matches("true")
                    default: false
                    }
                }
        }
        return Self.response("DescribeImages", context: context) { writer in
            writer.element("imagesSet") { writer in
                for image in images {
                    writer.element("item") { writer in
                        writer.element("imageId", image.id)
                        writer.element("imageLocation", "amazon/\(image.name)")
                        writer.element("imageState", "available")
                        writer.element("imageOwnerId", "137112412989")
                        writer.element("isPublic", true)
                        writer.element("architecture", "x86_64")
                        writer.element("imageType", "machine")
                        if image.platform == .windows { writer.element("platform", "windows") }
                        writer.element("platformDetails", image.platform == .windows ? "Windows" : "Linux/UNIX")
                        writer.element("name", image.name)
                        writer.element("description", image.description)
                        writer.element("rootDeviceType", "ebs")
                        writer.element("virtualizationType", "hvm")
                        writer.element("imageOwnerAlias", "amazon")
                    }
                }
            }
        }
    }

    static func write(_ instance: Instance, state: Instance.State, into writer: inout XMLWriter) {
        writer.element("instanceId", instance.id.rawValue)
        writer.element("imageId", instance.imageID)
        Self.writeState("instanceState", state, into: &writer)
        writer.element("privateDnsName", instance.privateDNSName)
        writer.emptyElement("dnsName")
        writer.element("keyName", ifPresent: instance.keyName)
        writer.element("amiLaunchIndex", String(instance.launchIndex))
        writer.element("instanceType", instance.instanceType)
        writer.element("launchTime", AWSTimestamp.iso8601Milliseconds(instance.launchTime))
        writer.element("placement") { writer in writer.element("availabilityZone", instance.scope.region.rawValue + "a")
        }
        if instance.platform == .windows { writer.element("platform", "windows") }
        writer.element("privateIpAddress", instance.privateIP)
        writer.tagSet(instance.tags)
        writer.element("clientToken", ifPresent: instance.clientToken)
    }

    static func writeState(_ element: String, _ state: Instance.State, into writer: inout XMLWriter) {
        writer.element(element) { writer in
            writer.element("code", String(state.code))
            writer.element("name", state.rawValue)
        }
    }
}
