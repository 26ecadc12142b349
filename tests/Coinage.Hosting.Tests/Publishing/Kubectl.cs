using System.Diagnostics;
using k8s;

namespace Coinage.Hosting.Tests.Publishing;

/// <summary><c>kubectl kustomize</c>: renders a kustomization offline, no cluster needed.</summary>
internal static class Kubectl
{
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(d => System.IO.Path.Combine(d, "kubectl"))
        .FirstOrDefault(File.Exists);

    public static void SkipIfMissing()
    {
        if (Path is null)
        {
            Assert.Skip("kubectl is not installed (apt-get install kubectl, or see docs/deploy.md): kustomize rendering cannot be checked.");
        }
    }

    public static async Task<string> KustomizeAsync(string directory)
    {
        var start = new ProcessStartInfo(Path!, ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {directory} failed ({process.ExitCode}): {await error}");
        }
        return await output;
    }

    /// <summary>Every document as its KubernetesClient type; unknown fields throw.</summary>
    public static List<IKubernetesObject> Parse(string yaml) =>
        KubernetesYaml.LoadAllFromString(yaml, strict: true).Cast<IKubernetesObject>().ToList();
}
