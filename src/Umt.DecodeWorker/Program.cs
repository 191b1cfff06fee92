using Umt.DecodeWorker;

// A decode worker: greets, then answers one request per clip on stdin until stdin closes.
// Nothing but answers goes to stdout; libav's own messages go to stderr, which the reader drains.
using var input = new BufferedStream(Console.OpenStandardInput(), 1 << 16);
using var output = new BufferedStream(Console.OpenStandardOutput(), 1 << 20);
string? failure = LibAv.Load();
DecodeProtocol.WriteGreeting(output, failure);
if (failure is not null)
{
    return 3;
}
using var decoder = new ClipDecoder();
while (DecodeProtocol.ReadRequest(input) is { } request)
{
    var result = decoder.Decode(request);
    DecodeProtocol.WriteAnswer(output, result.Status, result.Message, result.Decoded, decoder.Output(result.Decoded, request.Size));
}
return 0;
