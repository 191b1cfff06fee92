using System.Security.Cryptography;

namespace Umt.Runner.Engine.Checkpoints;

/// <summary>SHA-256 of a checkpoint file, as <c>state.json</c> records it (lowercase hex).</summary>
internal static class FileChecksum
{
    /// <summary>
    /// Reads the file once. Right after it was written its pages are still in the page cache, so
    /// hashing costs CPU, not disk reads (OpenSSL's SHA-256 uses the CPU's SHA extensions where present).
    /// </summary>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
