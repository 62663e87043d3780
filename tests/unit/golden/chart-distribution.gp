reset
set terminal svg size 380,260 dynamic font "sans,10" background "#ffffff"
set output 'r1-distribution.svg'
set termoption noenhanced
set encoding utf8
set datafile separator "\t"
set lmargin at screen 0.18
set rmargin at screen 0.97
set bmargin at screen 0.13
set tmargin at screen 0.86
set xrange [0.4:2.6]
set yrange [9.8304:12.2896]
set border 3 lc rgb "#666666"
set tics nomirror out scale 0.6 textcolor rgb "#333333"
set grid ytics lc rgb "#e6e6e6" lw 1 dt 1
set key at screen 0.18, 0.995 left top horizontal samplen 1.5 spacing 1 font ",9" textcolor rgb "#333333"

set ylabel 'wall (ms)' textcolor rgb "#333333"
set xtics ("baseline" 1, "this session" 2)
set boxwidth 0.4
set style fill solid 0.25 border
unset key
plot 'r1-distribution.dat' index 0 using 1:2:3:4:5 with candlesticks whiskerbars 0.5 lw 1.2 lc rgb "#1f4e8c", \
     '' index 0 using 1:6:6:6:6 with candlesticks lw 2.5 lc rgb "#1f4e8c", \
     '' index 1 using 1:2:3 with points pt 7 ps 0.35 lc rgb variable
unset output
