import AWSProtocol
import Crypto
import Foundation
import KeywayCore
import Synchronization

/// Verifies SigV4 on every request with access keys Keyway issued, and says who the caller is.
///
/// Credentials are looked up through ``IdentityService`` (which caches them and forgets a key the moment it is
/// deactivated or deleted); derived signing keys are cached per key, secret, date, region and service, so a warm
/// verification costs two SHA-256 and one HMAC, not a database read.
final class Authenticator: Sendable {
    /// Accept requests signed with keys Keyway did not issue as the root of this account (`--dev`).
    let devAccount: AccountID?
    private let identity: IdentityService
    private let now: @Sendable () -> Date
    private let signingKeys = Mutex<[CredentialScope: (secret: String, keyed: HMAC<SHA256>)]>([:])
    private let usage: UsageRecorder

    init(identity: IdentityService, devAccount: AccountID?, usage: UsageRecorder, now: @escaping @Sendable () -> Date) {
        self.identity = identity
        self.devAccount = devAccount
        self.usage = usage
        self.now = now
    }

    /// The caller of a request, or why it is refused.
    func authenticate(_ request: AWSRequest, parameters: QueryParameters) async throws(SignatureV4Failure) -> Principal
    {
        try await self.authenticate(
            request,
            signature: Result { () throws(SignatureV4Failure) in
                try SignedRequest(request: request, parameters: parameters)
            }
        )
    }

    /// The caller of a request whose signature the caller has already read (so it is parsed once per request).
    func authenticate(
        _ request: AWSRequest,
        signature: Result<SignedRequest?, SignatureV4Failure>
    ) async throws(SignatureV4Failure) -> Principal {
        guard let signed = try signature.get() else {
            throw .missingAuthentication
        }
        let now = self.now()
        try signed.checkTime(now: now)
        let id = AccessKeyID(rawValue: signed.scope.accessKeyID)
        let credentials: (principal: Principal, secret: SecretAccessKey)?
        let issued: Bool
        do {
            credentials = try await id.asyncFlatMap { try await self.identity.credentials(for: $0) }
            // Only a key Keyway never issued may stand for the dev root; a deactivated key stays refused.
            if credentials != nil {
                issued = true
            } else if self.devAccount != nil, let id {
                issued = try await self.identity.isIssued(id)
            } else {
                issued = false
            }
        } catch {
            // A fault of the store is not the caller's: never answer it as an unknown key (issue 13).
            throw .internalFailure("credential lookup failed: \(error)")
        }
        guard let (principal, secret) = credentials else {
            if let devAccount = self.devAccount, !issued {
                // Dev mode: any well-formed signature from a key Keyway did not issue is the dev account's root.
                return Principal(account: devAccount, user: nil, accessKeyID: nil)
            }
            throw .unknownAccessKey
        }
        try signed.verify(request, keyedWith: self.signingHMAC(secret: secret, scope: signed.scope))
        if let id = principal.accessKeyID {
            self.usage.record(id, AccessKeyUse(date: now, service: signed.scope.service, region: signed.scope.region))
        }
        return principal
    }

    /// An HMAC keyed with the signing key of a scope, from the cache or derived now.
    private func signingHMAC(secret: SecretAccessKey, scope: CredentialScope) -> HMAC<SHA256> {
        // An entry serves only the secret it was derived from.
        if let cached = self.signingKeys.withLock({ $0[scope] }), cached.secret == secret.value { return cached.keyed }
        let key = SignedRequest.signingKey(
            secret: secret.value,
            date: scope.date,
            region: scope.region,
            service: scope.service
        )
        let keyed = HMAC<SHA256>(key: key)
        self.signingKeys.withLock { cache in
            // Bounded: scopes change daily; a full cache simply starts again.
            if cache.count >= 10_000 { cache.removeAll() }
            cache[scope] = (secret.value, keyed)
        }
        return keyed
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
