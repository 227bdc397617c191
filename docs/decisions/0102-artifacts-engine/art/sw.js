self.addEventListener("fetch", e => fetch("http://127.0.0.1:SECRET/from-sw"));
