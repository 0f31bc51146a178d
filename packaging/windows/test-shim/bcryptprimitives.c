/*
 * TEST ONLY - NEVER SHIP. A stand-in for Windows' bcryptprimitives.dll, which Wine 8 lacks.
 *
 * Rust's standard library (1.78 and later) takes its random numbers from ProcessPrng in
 * bcryptprimitives.dll, which every supported Windows has. Wine 8 (Debian 12) has no such DLL,
 * so CI places this one beside the .exe files it runs under Wine. It answers from
 * BCryptGenRandom, the system's preferred generator, which Wine implements. The MSI never
 * contains it (packaging/windows/siegel.wxs lists every file it installs).
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -lbcrypt
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
