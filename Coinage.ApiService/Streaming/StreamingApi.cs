using Coinage.ApiService.Identity.ApiKeys;
using System.IdentityModel.Tokens.Jwt;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Sessions;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.MarketData;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Coinage.ApiService.Streaming;

/// <summary>
/// <c>GET /ws/v1</c>: the plain JSON WebSocket feed (docs/websocket.md), for programs that do not speak SignalR.
/// Anyone may follow markets; a connection authenticated at the handshake (an API key's signed headers, or a bearer
/// token) or by an <c>auth</c> message also gets its user's orders, fills and balances.
/// </summary>
public static partial class StreamingApi
{
    public const string Path = "/ws/v1";

    public static IEndpointRouteBuilder MapStreamingApi(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        // Map, not MapGet: a WebSocket over HTTP/2 opens with CONNECT.
        routes.Map(Path, StreamAsync).ExcludeFromDescription();
        return routes;
    }

    private static async Task StreamAsync(
        HttpContext context, StreamSubscribers subscribers, MarketDirectory markets,
        MarketDataReader reader, IServiceScopeFactory scopes, IConnectionMultiplexer redis, TimeProvider clock,
        IOptions<StreamingOptions> options, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Problems.Create(StatusCodes.Status400BadRequest, "websocket_required", "WebSocket upgrade required",
                $"{Path} is a WebSocket endpoint: open it with a WebSocket client (docs/websocket.md).").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        var handshake = await AuthenticateHandshakeAsync(context).ConfigureAwait(false);
        if (context.Response.HasStarted || context.Response.StatusCode >= 400)
        {
            return; // refused: the scheme answered with its problem
        }

        var logger = loggers.CreateLogger(typeof(StreamingApi).FullName!);
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var connection = new StreamConnection(socket, options.Value, clock, logger);
        var protocol = new StreamProtocol(connection, subscribers, markets, reader, scopes, redis, clock, options.Value, logger);
        subscribers.Add(connection);
        using var stopping = lifetime.ApplicationStopping.Register(() => connection.Close(1001, "server_shutdown"));
        try
        {
            if (handshake is { Principal: var principal, Expires: var expires })
            {
                var user = principal.UserId();
                // A key's sockets are filed under an id of the key, so revoking it closes them as a session's are.
                var session = Guid.TryParse(principal.FindFirst(AccessTokenIssuer.SessionIdClaim)?.Value, out var sid) ? sid
                    : principal.ApiKeyId() is { } keyId ? ApiKeyClaims.ConnectionId(keyId) : (Guid?)null;
                connection.SignIn(user, session, expires, byHandshake: true);
                subscribers.SignIn(connection, user, previous: null);
                // Registered first, checked second, as the hub does.
                if (session is { } s && await SessionService.IsRevokedAsync(redis, s).ConfigureAwait(false))
                {
                    connection.Close(StreamCloseCodes.SessionRevoked, "session_revoked");
                }
                else
                {
                    connection.Send(new AuthenticatedMessage(null, user.ToString(), expires), StreamJson.Default.AuthenticatedMessage);
                }
            }
            LogOpened(logger, handshake is not null);
            await connection.RunAsync(protocol.HandleAsync, protocol.RejectAsync).ConfigureAwait(false);
        }
        finally
        {
            subscribers.Remove(connection);
            LogClosed(logger);
        }
    }

    private sealed record Handshake(System.Security.Claims.ClaimsPrincipal Principal, DateTimeOffset? Expires);

    /// <summary>
    /// Authenticates the upgrade request with the app's default scheme, which sends a signed request (<c>Coinage-Key</c>)
    /// to the API-key scheme and anything else to the bearer token's, as for every REST endpoint. Nothing presented is
    /// an anonymous connection; credentials that are refused (a bad signature, an expired token) refuse the upgrade
    /// with that scheme's problem.
    /// </summary>
    private static async Task<Handshake?> AuthenticateHandshakeAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync().ConfigureAwait(false);
        if (result.Succeeded && Guid.TryParse(result.Principal.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out _))
        {
            // A key follows the private channels with the read scope (docs/api-keys.md); the public ones need no key.
            if (result.Principal.ApiKeyId() is not null && !result.Principal.HasScope(ApiKeyScopes.Read))
            {
                await ApiKeyProblems.WriteAsync(context, StatusCodes.Status403Forbidden, ApiKeyErrorCodes.ScopeRequired, "Scope required",
                    "This key lacks the 'read' scope the feed's private channels need; connect without it to follow markets only.",
                    new Dictionary<string, object?> { ["requiredScope"] = ApiKeyScopes.Read }).ConfigureAwait(false);
                return null;
            }
            return new Handshake(result.Principal, result.Properties?.ExpiresUtc);
        }
        if (result.Failure is not null)
        {
            await context.ChallengeAsync().ConfigureAwait(false);
            if (!context.Response.HasStarted)
            {
                await Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidToken, "Authentication failed",
                    "The credentials of the handshake were refused; connect without them to follow markets only.").ExecuteAsync(context).ConfigureAwait(false);
            }
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "WebSocket feed connection opened (authenticated at the handshake: {Authenticated})")]
    private static partial void LogOpened(ILogger logger, bool authenticated);

    [LoggerMessage(Level = LogLevel.Debug, Message = "WebSocket feed connection closed")]
    private static partial void LogClosed(ILogger logger);
}
