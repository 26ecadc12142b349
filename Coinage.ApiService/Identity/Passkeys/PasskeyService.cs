using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Fido2NetLib;
using Fido2NetLib.Exceptions;
using Fido2NetLib.Objects;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Coinage.ApiService.Identity.Passkeys;

/// <summary>
/// WebAuthn ceremonies on <see cref="IFido2"/>: options with a one-time challenge kept in Redis, then the
/// authenticator's answer checked against them. <see cref="VerifyAssertionAsync"/> is the one place a
/// passkey is accepted as proof, whatever it proves (a sign-in, a second factor, a step-up): it changes
/// the tracked state of the credential (sign count, last use) in the caller's transaction and nothing else.
/// </summary>
public sealed class PasskeyService(IFido2 fido2, CoinageDbContext db, IConnectionMultiplexer redis, PasskeySettings settings, TimeProvider clock)
{
    /// <summary>The <c>amr</c> value (RFC 8176) of a passkey: proof of possession of a hardware-secured key.</summary>
    public const string AuthenticationMethod = "hwk";

    private const string CeremonyPrefix = "coinage:passkeys:ceremonies:";

    /// <summary>A new passkey for <paramref name="user"/>: resident (discoverable, so it can sign in without an email) and user-verifying.</summary>
    public async Task<PasskeyCeremony> RegistrationOptionsAsync(CoinageUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var existing = await db.Passkeys.AsNoTracking().Where(p => p.UserId == user.Id).Select(p => p.CredentialId).ToListAsync(cancellationToken).ConfigureAwait(false);
        var options = fido2.RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = UserHandle(user.Id), Name = user.Email!, DisplayName = user.Email! },
            // The authenticator refuses to make a second credential for an account it already holds one of.
            ExcludeCredentials = existing.Select(id => new PublicKeyCredentialDescriptor(id)).ToList(),
            AuthenticatorSelection = new AuthenticatorSelection
            {
                ResidentKey = ResidentKeyRequirement.Required,
                UserVerification = UserVerificationRequirement.Required,
            },
            AttestationPreference = AttestationConveyancePreference.None,
            Extensions = new AuthenticationExtensionsClientInputs { CredProps = true },
        });
        return await StartAsync(CeremonyKind.Registration, user.Id, options.ToJson()).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks the attestation of a registration ceremony started by <paramref name="userId"/> and returns the
    /// new passkey, added to the context (the caller saves it). The ceremony is spent whatever the outcome.
    /// </summary>
    public async Task<PasskeyResult<Passkey>> RegisterAsync(Guid userId, string ceremonyId, PasskeyCredential credential, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (await TakeAsync(ceremonyId, CeremonyKind.Registration).ConfigureAwait(false) is not { } ceremony || ceremony.UserId != userId)
        {
            return PasskeyResult<Passkey>.Fail(PasskeyFailure.CeremonyExpired);
        }
        if (credential.ToAttestation() is not { } attestation)
        {
            return PasskeyResult<Passkey>.Fail(PasskeyFailure.Malformed);
        }
        RegisteredPublicKeyCredential registered;
        try
        {
            registered = await fido2.MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = attestation,
                OriginalOptions = CredentialCreateOptions.FromJson(ceremony.OptionsJson),
                IsCredentialIdUniqueToUserCallback = async (args, ct) => !await db.Passkeys.AnyAsync(p => p.CredentialId == args.CredentialId, ct).ConfigureAwait(false),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsRefusal(exception))
        {
            return PasskeyResult<Passkey>.Fail(exception is Fido2VerificationException { Code: Fido2ErrorCode.NonUniqueCredentialId } ? PasskeyFailure.AlreadyRegistered : PasskeyFailure.Refused);
        }
        var passkey = new Passkey
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            CredentialId = registered.Id,
            PublicKey = registered.PublicKey,
            UserHandle = registered.User.Id,
            SignCount = registered.SignCount,
            Transports = string.Join(' ', credential.Response?.Transports?.Where(PasskeyCredential.KnownTransports.Contains).Distinct() ?? []),
            Aaguid = registered.AaGuid,
            BackupEligible = registered.IsBackupEligible,
            BackedUp = registered.IsBackedUp,
            Name = name,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Passkeys.Add(passkey);
        return PasskeyResult<Passkey>.Ok(passkey);
    }

    /// <summary>
    /// Options for an assertion. With a user (a second factor or a step-up: who it is, is known), their
    /// passkeys are listed; for a sign-in without a password, any discoverable passkey of Coinage may answer
    /// and it must verify the user (the passkey is both factors). The ceremony answers only for
    /// <paramref name="purpose"/>: an answer the user gave to complete a sign-in cannot be carried to a
    /// step-up, nor the other way round.
    /// </summary>
    public async Task<PasskeyCeremony> AssertionOptionsAsync(PasskeyPurpose purpose, Guid? userId, CancellationToken cancellationToken)
    {
        CheckPurpose(purpose, userId);
        IReadOnlyList<PublicKeyCredentialDescriptor> allowed = [];
        if (userId is { } id)
        {
            var passkeys = await db.Passkeys.AsNoTracking().Where(p => p.UserId == id).Select(p => new { p.CredentialId, p.Transports }).ToListAsync(cancellationToken).ConfigureAwait(false);
            allowed = passkeys.Select(p => new PublicKeyCredentialDescriptor(PublicKeyCredentialType.PublicKey, p.CredentialId, PasskeyCredential.ParseTransports(p.Transports))).ToList();
        }
        var options = fido2.GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = allowed,
            UserVerification = userId is null ? UserVerificationRequirement.Required : UserVerificationRequirement.Preferred,
        });
        return await StartAsync(KindOf(purpose), userId, options.ToJson()).ConfigureAwait(false);
    }

    /// <summary>
    /// Verifies an assertion against the options of <paramref name="ceremonyId"/> (spent on the first try):
    /// signature, challenge, origin, relying party, user presence (and verification where required), and
    /// that the credential is registered to <paramref name="expectedUserId"/> (or, without one, to the user
    /// its user handle names). The sign count must move forward, checked and stored by one conditional
    /// UPDATE so two concurrent uses of a cloned key cannot both pass.
    /// </summary>
    public async Task<PasskeyResult<Passkey>> VerifyAssertionAsync(PasskeyPurpose purpose, string ceremonyId, PasskeyCredential credential, Guid? expectedUserId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        CheckPurpose(purpose, expectedUserId);
        if (await TakeAsync(ceremonyId, KindOf(purpose)).ConfigureAwait(false) is not { } ceremony || ceremony.UserId != expectedUserId)
        {
            return PasskeyResult<Passkey>.Fail(PasskeyFailure.CeremonyExpired);
        }
        if (credential.ToAssertion() is not { } assertion)
        {
            return PasskeyResult<Passkey>.Fail(PasskeyFailure.Malformed);
        }
        var passkey = await db.Passkeys.FirstOrDefaultAsync(p => p.CredentialId == assertion.RawId, cancellationToken).ConfigureAwait(false);
        if (passkey is null)
        {
            return PasskeyResult<Passkey>.Fail(PasskeyFailure.UnknownCredential);
        }
        // Another user's passkey proves nothing about this one; without an expected user, the authenticator
        // must say whose account it signs in to (a discoverable credential always does).
        if (expectedUserId is { } expected ? passkey.UserId != expected : assertion.Response.UserHandle is null)
        {
            return PasskeyResult<Passkey>.Fail(PasskeyFailure.NotYours, passkey.UserId);
        }
        VerifyAssertionResult verified;
        try
        {
            verified = await fido2.MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = assertion,
                OriginalOptions = AssertionOptions.FromJson(ceremony.OptionsJson),
                StoredPublicKey = passkey.PublicKey,
                StoredSignatureCounter = (uint)passkey.SignCount,
                IsUserHandleOwnerOfCredentialIdCallback = (args, _) =>
                    Task.FromResult(args.CredentialId.AsSpan().SequenceEqual(passkey.CredentialId) && args.UserHandle.AsSpan().SequenceEqual(passkey.UserHandle)),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Fido2VerificationException exception) when (exception.Code == Fido2ErrorCode.InvalidSignCount)
        {
            return PasskeyResult<Passkey>.Fail(PasskeyFailure.SignCountRegressed, passkey.UserId, passkey);
        }
        catch (Exception exception) when (IsRefusal(exception))
        {
            return PasskeyResult<Passkey>.Fail(PasskeyFailure.Refused, passkey.UserId, passkey);
        }
        var now = clock.GetUtcNow();
        long signCount = verified.SignCount;
        var moved = await db.Passkeys
            .Where(p => p.Id == passkey.Id && (signCount == 0 ? p.SignCount == 0 : p.SignCount < signCount))
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.SignCount, signCount).SetProperty(p => p.LastUsedAt, now).SetProperty(p => p.BackedUp, verified.IsBackedUp), cancellationToken)
            .ConfigureAwait(false);
        if (moved == 0)
        {
            return PasskeyResult<Passkey>.Fail(PasskeyFailure.SignCountRegressed, passkey.UserId, passkey);
        }
        passkey.SignCount = signCount;
        passkey.LastUsedAt = now;
        passkey.BackedUp = verified.IsBackedUp;
        db.Entry(passkey).State = EntityState.Unchanged; // already written by the UPDATE
        return PasskeyResult<Passkey>.Ok(passkey);
    }

    public Task<bool> HasAnyAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Passkeys.AnyAsync(p => p.UserId == userId, cancellationToken);

    /// <summary>The WebAuthn user handle of a user: their id (no personal data, as the spec asks), 16 bytes.</summary>
    public static byte[] UserHandle(Guid userId) => userId.ToByteArray(bigEndian: true);

    private async Task<PasskeyCeremony> StartAsync(CeremonyKind kind, Guid? userId, string optionsJson)
    {
        var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        var state = JsonSerializer.Serialize(new CeremonyState(kind, userId, optionsJson));
        await redis.GetDatabase().StringSetAsync(CeremonyPrefix + id, state, settings.CeremonyLifetime).ConfigureAwait(false);
        using var options = JsonDocument.Parse(optionsJson);
        return new PasskeyCeremony(id, options.RootElement.Clone());
    }

    /// <summary>Reads and deletes the ceremony in one step (GETDEL): a challenge answers once, on whichever replica.</summary>
    private async Task<CeremonyState?> TakeAsync(string ceremonyId, CeremonyKind kind)
    {
        if (string.IsNullOrEmpty(ceremonyId) || ceremonyId.Length > 64 || !Base64Url.IsValid(ceremonyId))
        {
            return null;
        }
        var value = await redis.GetDatabase().StringGetDeleteAsync(CeremonyPrefix + ceremonyId).ConfigureAwait(false);
        if (value.IsNullOrEmpty)
        {
            return null;
        }
        var state = JsonSerializer.Deserialize<CeremonyState>(value.ToString());
        return state?.Kind == kind ? state : null;
    }

    /// <summary>A sign-in finds its user through the passkey; a second factor and a step-up already know them.</summary>
    private static void CheckPurpose(PasskeyPurpose purpose, Guid? userId)
    {
        if ((purpose == PasskeyPurpose.SignIn) != (userId is null))
        {
            throw new ArgumentException($"A {purpose} ceremony {(userId is null ? "needs" : "takes no")} user.", nameof(userId));
        }
    }

    private static CeremonyKind KindOf(PasskeyPurpose purpose) => purpose switch
    {
        PasskeyPurpose.SignIn => CeremonyKind.SignIn,
        PasskeyPurpose.SecondFactor => CeremonyKind.SecondFactor,
        PasskeyPurpose.StepUp => CeremonyKind.StepUp,
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, null),
    };

    /// <summary>What a malformed or forged answer makes the library throw: a refusal, never a 500.</summary>
    private static bool IsRefusal(Exception exception) => exception is Fido2VerificationException
        or System.Formats.Cbor.CborContentException or FormatException or ArgumentException or InvalidOperationException
        or JsonException or CryptographicException or OverflowException or IndexOutOfRangeException;

    // Stored by number in the ceremonies in flight: new kinds go at the end.
    private enum CeremonyKind
    {
        Registration,
        SignIn,
        SecondFactor,
        StepUp,
    }

    private sealed record CeremonyState(CeremonyKind Kind, Guid? UserId, string OptionsJson);
}

/// <summary>What an assertion proves; its ceremony answers for that purpose only.</summary>
public enum PasskeyPurpose
{
    /// <summary>A sign-in without a password: the passkey names the user and is both factors.</summary>
    SignIn,

    /// <summary>The second factor of a password sign-in (<c>POST /api/v1/auth/login/2fa</c>).</summary>
    SecondFactor,

    /// <summary>A fresh proof of a signed-in user before a sensitive action (<c>POST /api/v1/account/step-up</c>).</summary>
    StepUp,
}

/// <param name="CeremonyId">Sent back with the authenticator's answer; valid once, for a few minutes.</param>
/// <param name="Options">The WebAuthn options as JSON (<c>PublicKeyCredentialCreationOptionsJSON</c> or <c>…RequestOptionsJSON</c>).</param>
public sealed record PasskeyCeremony(string CeremonyId, JsonElement Options);

public enum PasskeyFailure
{
    /// <summary>The ceremony is unknown, expired, already answered, or someone else's.</summary>
    CeremonyExpired,
    Malformed,
    UnknownCredential,
    NotYours,
    SignCountRegressed,
    AlreadyRegistered,
    Refused,
}

public sealed record PasskeyResult<T>(T? Value, PasskeyFailure? Failure, Guid? UserId = null, Passkey? Passkey = null)
{
    public bool Succeeded => Failure is null;

    public static PasskeyResult<T> Ok(T value) => new(value, null);

    public static PasskeyResult<T> Fail(PasskeyFailure failure, Guid? userId = null, Passkey? passkey = null) => new(default, failure, userId, passkey);
}
