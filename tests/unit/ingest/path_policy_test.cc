#include "ingest/path_policy.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace seqgate::ingest {
namespace {

TEST_CASE("benign relative paths normalise") {
  auto n = [](std::string_view p) {
    auto r = NormaliseRelativePath(p);
    INFO(std::string(p));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return *r;
  };
  CHECK(n("a.fastq.gz") == "a.fastq.gz");
  CHECK(n("Data/Intensities/BaseCalls/L001/s_1.bcl") == "Data/Intensities/BaseCalls/L001/s_1.bcl");
  CHECK(n("a//b/./c") == "a/b/c");
  CHECK(n("./a") == "a");
  CHECK(n(".hidden/x") == ".hidden/x");
  CHECK(n("proben/Müller-ß.txt") == "proben/Müller-ß.txt");
  CHECK(n("a..b/c..d") == "a..b/c..d");
  CHECK(n("Ελλάδα/данные/Łódź-Ș.txt") == "Ελλάδα/данные/Łódź-Ș.txt");
  CHECK(n("café") == "caf\xc3\xa9");  // NFC
  CHECK(n(std::string(kMaxComponentBytes, 'a')) == std::string(kMaxComponentBytes, 'a'));
}

TEST_CASE("hostile paths are refused") {
  const std::vector<std::string> hostile = {
      "",
      "/etc/passwd",
      "//server/share",
      "..",
      "../x",
      "a/../../x",
      "a/..",
      "a/../b",
      "./../x",
      "a/",
      ".",
      "./",
      std::string("a\0b", 3),
      "a\nb",
      "a\rb",
      "a\tb",
      "a\x1b[31mred",
      "a\x7f",
      "a\\..\\b",
      "C:\\windows",
      "\xc0\xae\xc0\xae/x",   // overlong UTF-8 for ".."
      "\xe0\x80\xae",         // overlong
      "\xed\xa0\x80",         // surrogate
      "\xff\xfe",             // not UTF-8
      "a\xc2\x85z",           // U+0085 NEL, a C1 control
      "\xf4\x90\x80\x80",     // above U+10FFFF
      std::string(256, 'a'),  // component too long
      std::string(kMaxComponentBytes + 1, 'a'),
      "c...",  // trailing dots and spaces vanish on Windows/SMB
      "a./b",
      "a ",
      " a",
      "cafe\xcc\x81",  // NFD: e + U+0301 combining acute
      "\xe2\x80\xae"
      "exe.txt",  // U+202E right-to-left override
      "a\xe2\x80\x8b"
      "b",                     // U+200B zero width space
      "..\xef\xbc\x8f..",      // U+FF0F fullwidth solidus
      "\xef\xac\x81le",        // U+FB01 ligature fi (NFKC: "fi")
      "\xe2\x84\xaa",          // U+212A Kelvin sign (NFC: "K")
      "\xc2\xa0",              // U+00A0 no-break space
      std::string(1025, 'a'),  // path too long
  };
  for (const auto& p : hostile) {
    auto r = NormaliseRelativePath(p);
    CHECK_MESSAGE(!r.ok(), "accepted: ", p);
    if (!r.ok()) CHECK(r.status().code() == StatusCode::kInvalidArgument);
  }
  std::string deep;
  for (int i = 0; i < 33; ++i) deep += "d/";
  deep += "f";
  CHECK_FALSE(NormaliseRelativePath(deep).ok());
}

TEST_CASE("refusals name the offending code point") {
  auto why = [](std::string_view p) { return NormaliseRelativePath(p).status().message(); };
  CHECK(why("cafe\xcc\x81").find("combining mark") != std::string::npos);
  CHECK(why("cafe\xcc\x81").find("(U+0301)") != std::string::npos);
  CHECK(why("a\xe2\x80\xae"
            "b")
            .find("bidirectional") != std::string::npos);
  CHECK(why("a\xc2\x85"
            "b")
            .find("control character (U+0085)") != std::string::npos);
  CHECK(why("\xef\xbc\x8f").find("outside the allowed set") != std::string::npos);
  CHECK(why("\xef\xbc\x8f").find("U+FF0F") != std::string::npos);
}

TEST_CASE("site and run names are allow-listed") {
  CHECK(ValidateSiteName("lab-a").ok());
  CHECK(ValidateSiteName("hospital.north_01").ok());
  CHECK_FALSE(ValidateSiteName("").ok());
  CHECK_FALSE(ValidateSiteName(".uploads").ok());
  CHECK_FALSE(ValidateSiteName("..").ok());
  CHECK_FALSE(ValidateSiteName("a/b").ok());
  CHECK_FALSE(ValidateSiteName("bad site").ok());
  CHECK_FALSE(ValidateSiteName(std::string(65, 'a')).ok());
  CHECK(ValidateRunName("20240101_LH00123_0001_A22XXXXXX").ok());
  CHECK(ValidateRunName("run+1.2").ok());
  CHECK_FALSE(ValidateRunName("-rf").ok());
  CHECK_FALSE(ValidateRunName(".").ok());
  CHECK_FALSE(ValidateRunName("r/../x").ok());
}

}  // namespace
}  // namespace seqgate::ingest
