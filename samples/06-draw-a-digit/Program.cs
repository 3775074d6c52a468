// Sample 06: draw a digit and watch back-propagation on it. An ASP.NET Core app (minimal APIs, the
// page in wwwroot as plain HTML, CSS and JavaScript) around one trained model: the forward pass of
// what you draw, and "teach it", one step of gradient descent on your digit, run on a copy of the model
// that is yours. Start it with `dotnet run --project samples/06-draw-a-digit [-- --model FILE] [--urls URL]`.
// It is a teaching page, not a service: no accounts, no storage, visitors' copies live in memory only.
using MnistBp.Samples.DrawADigit;

var builder = WebApplication.CreateBuilder(args);
// The page's files from the sample's wwwroot whatever the environment and the current folder, when run
// from the build output (dotnet run); a published app has them beside it.
builder.WebHost.UseStaticWebAssets();
builder.Services.AddProblemDetails();
// --model FILE arrives as the configuration key "model"; none means the model shipped in Model/.
builder.Services.AddSingleton(services => DigitModel.Load(services.GetRequiredService<IConfiguration>()["model"]));
// Visitors' copies: at most visitors:capacity of them and visitors:memoryMegabytes together, each dropped
// after visitors:expiryMinutes unused.
builder.Services.AddSingleton(services => new VisitorModels(
    services.GetRequiredService<DigitModel>().Model,
    capacity: services.GetRequiredService<IConfiguration>().GetValue("visitors:capacity", 100),
    expiry: TimeSpan.FromMinutes(services.GetRequiredService<IConfiguration>().GetValue("visitors:expiryMinutes", 30.0)),
    TimeProvider.System,
    memoryBudgetBytes: (long)(services.GetRequiredService<IConfiguration>().GetValue("visitors:memoryMegabytes", 256.0) * 1024 * 1024)));

var app = builder.Build();
DigitModel digit;
try
{
    digit = app.Services.GetRequiredService<DigitModel>(); // now, so a bad --model stops the start instead of the first request
}
catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

try
{
    app.Services.GetRequiredService<VisitorModels>(); // now too, so a bad visitors: setting stops the start
}
catch (ArgumentOutOfRangeException e)
{
    Console.Error.WriteLine($"error: visitors: setting out of range ({e.ParamName} = {e.ActualValue}): capacity must be at least 1, memoryMegabytes and expiryMinutes positive.");
    return 2;
}

Console.WriteLine($"model: {digit.Source}");
Console.WriteLine($"       {digit.Describe()}");
app.UseExceptionHandler();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapDigitApi();
app.Run();
return 0;

/// <summary>The app's entry point; public so WebApplicationFactory in the tests can start it.</summary>
public partial class Program;
