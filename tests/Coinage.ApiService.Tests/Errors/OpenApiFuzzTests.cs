using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Coinage.ApiService.Tests.Identity;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Errors;

/// <summary>
/// Every operation of <c>/openapi/v1.json</c>, anonymous, as a trader and (where it documents a 403)
/// as an admin, sent bad input (<see cref="OpenApiFuzzer"/>) over real HTTP (Kestrel): no answer may
/// be a 5xx, and every 4xx must be problem details in JSON. Deterministic: a failure names the seed
/// and the request, and the same run sends the same requests again.
/// </summary>
public sealed class OpenApiFuzzTests(InfrastructureFixture infrastructure)
{
    private const int Seed = 20261206;

    /// <summary>Keeps the run inside the CI's budget (about a minute on the 2-core machine).</summary>
    private const int MaxRequests = 4000;

    private const string AdminPassword = "fuzz admin passphrase 2026";

    [Fact]
    public async Task No_operation_answers_5xx_and_every_4xx_is_json_problem_details()
    {
        // A database of its own: what the fuzzer manages to create (assets, markets, withdrawals) stays out of the other tests'.
        var database = await infrastructure.CreateDatabaseAsync("fuzz");
        var adminEmail = NewEmail("fuzz-admin");
        await using var factory = new ApiFactory(database, infrastructure.RedisConnectionString, new Dictionary<string, string?>
        {
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
        });
        factory.UseKestrel(0);
        factory.StartServer();
        using var http = factory.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(30);
        var identity = new IdentityTestClient(http, database);
        var traderEmail = NewEmail("fuzz-trader");
        await identity.RegisterAsync(traderEmail);
        await identity.VerifyAsync(traderEmail);
        var credentials = new Dictionary<string, (string Email, string Password)>
        {
            ["trader"] = (traderEmail, Password),
            ["admin"] = (adminEmail, AdminPassword),
        };
        var tokens = new Dictionary<string, string?> { ["anonymous"] = null };
        foreach (var (name, (email, password)) in credentials)
        {
            tokens[name] = await AccessTokenAsync(identity, email, password);
        }

        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct));
        var fuzzer = new OpenApiFuzzer(document.RootElement, Seed);
        var operations = fuzzer.Operations();
        Assert.True(operations.Count >= 50, $"only {operations.Count} operations in the document");

        var failures = new List<string>();
        var kestrelRejections = new List<string>();
        var sent = 0;
        var signIns = 0;
        var clock = Stopwatch.StartNew();
        foreach (var operation in operations)
        {
            string[] identities = operation.Privileged ? ["anonymous", "trader", "admin"] : ["anonymous", "trader"];
            foreach (var name in identities)
            {
                foreach (var request in fuzzer.Requests(operation, name))
                {
                    sent++;
                    var (status, violation) = await SendAsync(http, request, tokens[name]);
                    if (violation == KestrelRejection)
                    {
                        kestrelRejections.Add(request.Target);
                    }
                    else if (violation is not null)
                    {
                        failures.Add($"{name} {request} → {violation}");
                    }
                    // Some operations end the caller's session (logout); the next requests need a live one.
                    if (status == HttpStatusCode.Unauthorized && tokens[name] is { } token && await identity.ProfileStatusAsync(token) == HttpStatusCode.Unauthorized)
                    {
                        using var signIn = await identity.PostAsync("/api/v1/auth/login", new { email = credentials[name].Email, password = credentials[name].Password });
                        Assert.True(signIn.StatusCode == HttpStatusCode.OK, $"after {request} the {name} cannot sign in again: {(int)signIn.StatusCode}");
                        tokens[name] = (await JsonAsync(signIn)).GetProperty("accessToken").GetString();
                        signIns++;
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{sent} requests to {operations.Count} operations in {clock.Elapsed.TotalSeconds:F0} s (seed {Seed}, {signIns} sign-ins again), " +
            $"{kestrelRejections.Count} refused by Kestrel before the application, {failures.Count} violations");
        // Kestrel refuses a request target with an encoded NUL itself, before any middleware (see docs/identity.md, Errors);
        // nothing else may take that way out.
        Assert.All(kestrelRejections, target => Assert.Contains("%00", target.Split('?')[0], StringComparison.Ordinal));
        Assert.True(sent <= MaxRequests, $"{sent} requests: more than the budget of {MaxRequests}");
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {sent} answers break the rule (seed {Seed}):\n" + string.Join('\n', failures.Take(300)));
    }

    /// <summary>
    /// Kestrel's own answer to a request line it refuses (an encoded NUL in the path): 400, no body,
    /// connection closed. It never reaches the application, so it cannot be problem details.
    /// </summary>
    private const string KestrelRejection = "refused by Kestrel";

    private static async Task<(HttpStatusCode Status, string? Violation)> SendAsync(HttpClient http, FuzzRequest request, string? token)
    {
        using var message = new HttpRequestMessage(request.Method, new Uri(request.Target, UriKind.Relative));
        if (request.Accept is not null)
        {
            message.Headers.TryAddWithoutValidation("Accept", request.Accept);
        }
        if (token is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
        }
        try
        {
            using var response = await http.SendAsync(message, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            if (response.StatusCode == HttpStatusCode.BadRequest && body.Length == 0 && response.Headers.ConnectionClose == true && response.Content.Headers.ContentType is null)
            {
                return (response.StatusCode, KestrelRejection);
            }
            var violation = ProblemAnswer.Violation((int)response.StatusCode, response.Content.Headers.ContentType, body);
            return (response.StatusCode, violation is null ? null : $"{violation}: {FuzzRequest.Shorten(body, 300)}");
        }
        catch (HttpRequestException exception)
        {
            // The server closing the connection without an answer is as bad as a 500.
            return (0, $"no answer: {exception.Message}");
        }
        catch (TaskCanceledException) when (!Ct.IsCancellationRequested)
        {
            return (0, $"no answer within {http.Timeout.TotalSeconds} s");
        }
    }

    private static async Task<string> AccessTokenAsync(IdentityTestClient identity, string email, string password) =>
        (await identity.LoginAsync(email, password)).GetProperty("accessToken").GetString()!;
}
