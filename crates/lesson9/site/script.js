// Served as text/javascript: a browser runs a script only of a JavaScript type.
const line = document.getElementById("script");
line.textContent = "脚本运行了 / the script ran";
line.className = "ran";
