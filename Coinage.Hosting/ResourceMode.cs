using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Coinage.Hosting;

/// <summary>How the backing services run: as containers of a runtime that answered, or as local processes.</summary>
/// <param name="Runtime">The container runtime (<c>docker</c>, <c>podman</c>), or null for local processes.</param>
/// <param name="Reason">Why: printed when the AppHost starts.</param>
public sealed record ResourceMode(string? Runtime, string Reason)
{
    public bool UsesContainers => Runtime is not null;

    public override string ToString() => UsesContainers
        ? $"Backing services run as {Runtime} containers ({Reason})."
        : $"Backing services run as local processes ({Reason}).";
}

/// <summary>
/// Chooses the <see cref="ResourceMode"/>. <c>Coinage:ContainerRuntime</c> forces it: <c>docker</c> or <c>podman</c>
/// (containers), <c>none</c> (local processes); the default, <c>auto</c>, uses the runtime Aspire would
/// (<c>ASPIRE_CONTAINER_RUNTIME</c>, else docker, then podman) when it answers. Publishing always describes containers:
/// that is what a deployment runs, and what the publishers read.
/// </summary>
public static class ResourceModeDetector
{
    public const string Setting = "Coinage:ContainerRuntime";
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    public static ResourceMode Resolve(IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configured = builder.Configuration[Setting]?.Trim().ToLowerInvariant();
        var preferred = builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? builder.Configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"];
        if (builder.ExecutionContext.IsPublishMode)
        {
            return new ResourceMode(preferred ?? "docker", "publishing describes containers");
        }
        return configured switch
        {
            "none" or "processes" => new ResourceMode(null, $"{Setting}={configured}"),
            "docker" or "podman" => new ResourceMode(configured, $"{Setting}={configured}"),
            null or "" or "auto" => Detect(preferred is null ? ["docker", "podman"] : [preferred]),
            _ => throw new ArgumentException($"{Setting} must be auto, docker, podman or none, not '{configured}'."),
        };
    }

    private static ResourceMode Detect(IReadOnlyList<string> candidates)
    {
        var answers = new List<string>();
        foreach (var runtime in candidates)
        {
            var answer = Probe(runtime);
            if (answer is null)
            {
                return new ResourceMode(runtime, $"{runtime} answered; {Setting}=none runs them as local processes");
            }
            answers.Add($"{runtime}: {answer}");
        }
        return new ResourceMode(null, $"no container runtime answered ({string.Join("; ", answers)})");
    }

    /// <summary>Null when <c>{runtime} info</c> succeeds, else why not.</summary>
    private static string? Probe(string runtime)
    {
        var info = new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(info)!;
            _ = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return $"no answer within {ProbeTimeout.TotalSeconds:0} s";
            }
            return process.ExitCode == 0 ? null : $"exit code {process.ExitCode}: {FirstLine(error.Result)}";
        }
        catch (Win32Exception)
        {
            return "not installed";
        }
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
}
