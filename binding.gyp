{
  "targets": [
    {
      "target_name": "petrel_tap",
      "sources": ["native/tap.c", "native/tso.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "conditions": [["OS!='linux'", {"sources!": ["native/tap.c", "native/tso.c"], "sources": ["native/stub.c"]}]]
    }
  ]
}
