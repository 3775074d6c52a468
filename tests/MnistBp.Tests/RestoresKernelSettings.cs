// The base of every test class that changes KernelSettings.Current (process-wide): it remembers the
// settings before each test and puts them back after it, so a test that picks a kernel path or a
// thread count cannot leak it into the next. Such classes are also [NonParallelizable].
namespace MnistBp.Tests;

internal abstract class RestoresKernelSettings
{
    private KernelSettings _settingsBefore = KernelSettings.Current;

    [SetUp]
    public void RememberSettings() => _settingsBefore = KernelSettings.Current;

    [TearDown]
    public void RestoreSettings() => KernelSettings.Current = _settingsBefore;
}
