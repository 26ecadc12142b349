using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Identity.Passkeys;
using Coinage.ApiService.Identity.Sessions;
using Coinage.ApiService.Identity.StepUp;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Identity.TwoFactor;
using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Coinage.ServiceDefaults.Compliance;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using StackExchange.Redis;

namespace Coinage.ApiService.Identity;

public static class Policies
{
    public const string VerifiedEmail = "VerifiedEmail";
    public const string Support = "Support";
    public const string Compliance = "Compliance";
    public const string Admin = "Admin";
}

/// <summary>
/// Identity Core on <see cref="CoinageDbContext"/> with a BCrypt hasher, Data Protection keys in
/// the database, JWT bearer authentication whose sessions can be revoked at once through Redis,
/// and the authorization policies.
/// </summary>
internal static partial class IdentityFeatures
{
    public const string SessionOrApiKeyScheme = "SessionOrApiKey";

    public static WebApplicationBuilder AddIdentityFeatures(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IdentitySecurityOptions>()
            .Bind(builder.Configuration.GetSection(IdentitySecurityOptions.Section))
            .Validate(o => o.BcryptWorkFactor is >= IdentitySecurityOptions.MinimumWorkFactor and <= 31,
                $"Coinage:Identity:BcryptWorkFactor must be between {IdentitySecurityOptions.MinimumWorkFactor} and 31.")
            .ValidateOnStart();
        var security = builder.Configuration.GetSection(IdentitySecurityOptions.Section).Get<IdentitySecurityOptions>() ?? new();

        services.AddDataProtection()
            .SetApplicationName("coinage")
            .PersistKeysToDbContext<CoinageDbContext>();

        services.AddIdentityCore<CoinageUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // User names are the email: allow every character an address may contain.
                options.User.AllowedUserNameCharacters = "";
                options.SignIn.RequireConfirmedEmail = false; // signing in is allowed; trading is not (VerifiedEmail policy)
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = security.MaxFailedAccessAttempts;
                options.Lockout.DefaultLockoutTimeSpan = security.LockoutDuration;
                // Our own policy (PasswordRules) replaces Identity's character-class rules.
                options.Password.RequiredLength = PasswordPolicy.PasswordRules.MinimumLength;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;
            })
            .AddRoles<CoinageRole>()
            .AddEntityFrameworkStores<CoinageDbContext>()
            .AddDefaultTokenProviders();
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = security.EmailTokenLifetime);
        services.AddSingleton<IPasswordHasher<CoinageUser>, BCryptPasswordHasher>();

        var jwt = builder.Configuration.GetSection(JwtSettings.Section).Get<JwtSettings>() ?? new();
        var development = builder.Environment.IsDevelopment();
        services.AddSingleton(jwt);
        // Resolved by UseIdentityFeatures, so a missing key fails the start of a serving replica
        // but not the `migrate` command, which needs none.
        services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SigningKeys).FullName!);
            return SigningKeys.From(jwt, development, message => LogStartupWarning(logger, message));
        });
        services.AddSingleton<AccessTokenIssuer>();
        services.AddScoped<SessionService>();
        services.AddSingleton<SessionOwners>();
        services.AddScoped<AuthService>();
        services.AddOptions<StepUpOptions>().Bind(builder.Configuration.GetSection(StepUpOptions.Section))
            .Validate(o => o.Window > TimeSpan.Zero, "Coinage:Identity:StepUp:Window must be positive.").ValidateOnStart();
        services.AddScoped<StepUpService>();
        services.AddScoped<Devices.DeviceRecognition>();
        services.AddSingleton<IdentityTelemetry>();
        services.AddSingleton<TotpService>();
        services.AddPasskeys(builder.Configuration);
        services.AddSingleton<DummyPasswordHash>();
        services.AddHostedService<AdminBootstrap>();
        services.AddHostedService<DevelopmentUsers>();

        // A request signed with an API key (Coinage-Key header) is the ApiKey scheme's; every other one the bearer
        // token's. One default scheme for both, so every endpoint that takes a session can take a key; which do is
        // the API-key gate's decision (UseApiKeyGate).
        services.AddSingleton<ApiKeySecrets>();
        services.AddAuthentication(SessionOrApiKeyScheme)
            .AddPolicyScheme(SessionOrApiKeyScheme, null, options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeySignature.KeyHeader) ? ApiKeyAuthenticationHandler.SchemeName : JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer()
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AccessTokenIssuer>((options, issuer) =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = issuer.ValidationParameters();
                options.Events = new JwtBearerEvents { OnTokenValidated = RejectRevokedOrStaleTokensAsync, OnMessageReceived = ReadHubAccessToken };
            });

        services.AddSingleton(new CookieOriginPolicy(builder.Configuration.GetSection("Coinage:Cors:AllowedOrigins").Get<string[]>() ?? []));
        services.AddSingleton<IAuthorizationHandler, VerifiedEmailHandler>();
        services.AddSingleton<IAuthorizationHandler, SecondFactorHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.VerifiedEmail, p => p.RequireAuthenticatedUser().AddRequirements(new VerifiedEmailRequirement()))
            .AddPolicy(Policies.Support, p => p.RequireRole(Roles.Support, Roles.Admin).AddRequirements(SecondFactorRequirement.Instance))
            .AddPolicy(Policies.Compliance, p => p.RequireRole(Roles.Compliance, Roles.Admin).AddRequirements(SecondFactorRequirement.Instance))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin).AddRequirements(SecondFactorRequirement.Instance));
        return builder;
    }

    public static WebApplication UseIdentityFeatures(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<SigningKeys>();
        app.UseAuthentication();
        app.UseApiKeyGate();
        app.UsePasswordChangeGate();
        app.UseAuthorization();
        app.UseStepUpGate();
        return app;
    }

    /// <summary>
    /// Browsers cannot set headers on a WebSocket: SignalR sends the access token as <c>access_token</c>
    /// in the query string, accepted for the hubs only (elsewhere a token in a URL would end up in logs).
    /// </summary>
    private static Task ReadHubAccessToken(MessageReceivedContext context)
    {
        if (context.HttpContext.Request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase)
            && context.Request.Query["access_token"] is [{ Length: > 0 } token])
        {
            context.Token = token;
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Every authenticated request: does the token name a user (<c>sub</c>) and that user's session
    /// (<c>sid</c>); is the session revoked (logout, sign-out-others, password change, reuse of a
    /// refresh token, admin lock), or was the token issued before the user's roles or standing changed
    /// (its access version is not the current one)? Either way 401: the client refreshes, and gets a
    /// token with what is true now or none. One Redis round trip, on every replica alike; fails closed
    /// when Redis cannot answer. Past this point the endpoints can rely on
    /// <see cref="ClaimsPrincipalExtensions.UserId"/>.
    /// </summary>
    private static async Task RejectRevokedOrStaleTokensAsync(TokenValidatedContext context)
    {
        var sub = context.Principal?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        if (sub is null || !Guid.TryParse(sub, out var userId))
        {
            context.Fail("The token names no user.");
            return;
        }
        var sid = context.Principal?.FindFirst(AccessTokenIssuer.SessionIdClaim)?.Value;
        if (sid is null || !Guid.TryParse(sid, out var sessionId))
        {
            context.Fail("The token has no session.");
            return;
        }
        // Tokens issued before access versions existed carry none: version 0, the counter's start.
        var version = long.TryParse(context.Principal!.FindFirst(AccessTokenIssuer.AccessVersionClaim)?.Value, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0;
        var services = context.HttpContext.RequestServices;
        try
        {
            if (!await SessionService.IsCurrentAsync(services.GetRequiredService<IConnectionMultiplexer>(), sessionId, userId, version).ConfigureAwait(false))
            {
                context.Fail("The session has been revoked or the user's access has changed.");
                return;
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            context.Fail("Session revocation cannot be checked.");
            return;
        }
        if (!await services.GetRequiredService<SessionOwners>()
                .OwnsAsync(services.GetRequiredService<CoinageDbContext>(), sessionId, userId, context.HttpContext.RequestAborted).ConfigureAwait(false))
        {
            context.Fail("The token's session is not its user's.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
    private static partial void LogStartupWarning(ILogger logger, string message);
}

/// <summary>A BCrypt hash of a random password, verified for unknown emails so they take as long as known ones.</summary>
public sealed class DummyPasswordHash(IPasswordHasher<CoinageUser> hasher)
{
    private readonly Lazy<string> _hash = new(() => hasher.HashPassword(new CoinageUser(), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))));

    public void Verify(string password) => hasher.VerifyHashedPassword(new CoinageUser(), _hash.Value, password);
}

public sealed class VerifiedEmailRequirement : IAuthorizationRequirement;

internal sealed class VerifiedEmailHandler : AuthorizationHandler<VerifiedEmailRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, VerifiedEmailRequirement requirement)
    {
        if (context.User.FindFirst(AccessTokenIssuer.EmailVerifiedClaim)?.Value == "true")
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, ErrorCodes.EmailNotVerified));
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Support, Compliance and Admin answer only to a session whose sign-in proved a second factor that is
/// still enrolled (<c>amr</c> has <c>otp</c>, <c>hwk</c> or <c>rec</c>). A user without a privileged role passes this
/// requirement: the role requirement refuses them, with a plain <c>forbidden</c>.
/// </summary>
public sealed class SecondFactorRequirement : IAuthorizationRequirement
{
    public static readonly SecondFactorRequirement Instance = new();
}

internal sealed class SecondFactorHandler : AuthorizationHandler<SecondFactorRequirement>
{
    private static readonly string[] PrivilegedRoles = [Roles.Support, Roles.Compliance, Roles.Admin];

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, SecondFactorRequirement requirement)
    {
        if (context.User.HasSecondFactor() || !PrivilegedRoles.Any(context.User.IsInRole))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, ErrorCodes.SecondFactorRequired));
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// 401 and 403 as problem details; a failed <see cref="VerifiedEmailRequirement"/> says <c>email_not_verified</c>,
/// a failed <see cref="SecondFactorRequirement"/> <c>second_factor_required</c> (the web front end leads to 2FA set-up).
/// </summary>
internal sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var reasons = authorizeResult.AuthorizationFailure?.FailureReasons.Select(r => r.Message).ToHashSet() ?? [];
            var (code, title, detail) = reasons switch
            {
                _ when reasons.Contains(ErrorCodes.EmailNotVerified) =>
                    (ErrorCodes.EmailNotVerified, "Email address not verified", "Verify your email address before trading or withdrawing."),
                _ when reasons.Contains(ErrorCodes.SecondFactorRequired) =>
                    (ErrorCodes.SecondFactorRequired, "Two-factor authentication required",
                        "Your role needs a second factor: turn on two-factor authentication or add a passkey under Account, then sign in again with it."),
                _ => ("forbidden", "Forbidden", (string?)null),
            };
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = title,
                    Detail = detail,
                    Type = Problems.TypeBase + code,
                    Extensions = { ["code"] = code },
                },
            }).ConfigureAwait(false);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
    }
}

/// <summary>
/// Creates or repairs the administrator named by <c>Coinage:Admin:Email</c>/<c>Coinage:Admin:Password</c>
/// at start-up (after migrations): confirmed email, Admin role. Does nothing when unset. The configured
/// password is a bootstrap secret: while it is still the account's password, the account must replace it
/// (<see cref="PasswordChangeGate"/>), and like every privileged account it needs 2FA before the Admin
/// endpoints answer.
/// </summary>
internal sealed partial class AdminBootstrap(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<AdminBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var email = configuration["Coinage:Admin:Email"];
        var password = configuration["Coinage:Admin:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CoinageUser>>();
        var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var user = await users.FindByEmailAsync(email).ConfigureAwait(false);
        if (user is null)
        {
            user = new CoinageUser { Id = Guid.CreateVersion7(), Email = email, UserName = email, EmailConfirmed = true, CreatedAt = clock.GetUtcNow() };
            var created = await users.CreateAsync(user, password).ConfigureAwait(false);
            if (!created.Succeeded)
            {
                // Another replica may have created it a moment ago.
                user = await users.FindByEmailAsync(email).ConfigureAwait(false);
                if (user is null)
                {
                    LogFailed(logger, string.Join("; ", created.Errors.Select(e => e.Description)));
                    return;
                }
            }
            LogCreated(logger, email);
        }
        if (!await users.IsInRoleAsync(user, Roles.Admin).ConfigureAwait(false))
        {
            await users.AddToRoleAsync(user, Roles.Admin).ConfigureAwait(false);
        }
        // Also an administrator created before this rule, who kept the generated password.
        if (await users.CheckPasswordAsync(user, password).ConfigureAwait(false))
        {
            await PasswordChangeGate.RequireAsync(users, user).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Administrator {Email} created from configuration")]
    private static partial void LogCreated(ILogger logger, [Pii] string email);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not create the configured administrator: {Errors}")]
    private static partial void LogFailed(ILogger logger, string errors);
}
